import type { LoadNode } from './load.ts';
import type { Oracle, OracleResult } from './oracle.ts';
import type { RoleProcess } from './role-process.ts';
import type { Topology } from './topology.ts';

/** Creates one probe key per node (`<prefix>-<i>`) through the topology's admin API. */
export async function createNodes(topology: Topology, count: number, prefix = 'probe'): Promise<LoadNode[]> {
  const nodes: LoadNode[] = [];
  for (let i = 0; i < count; i++) {
    const nodeId = `${prefix}-${i}`;
    nodes.push({ nodeId, key: await topology.createKey(nodeId) });
  }
  return nodes;
}

/** Reads every stored sample and compares with what the oracle generated. */
export async function verdict(
  topology: Topology,
  oracle: Oracle,
): Promise<Omit<OracleResult, 'lost_examples'> & { lost_examples: number }> {
  const result = oracle.compare(await topology.storedSamples());
  return { ...result, lost_examples: result.lost_examples.length };
}

/** Prints one summary line of figures for a reliability scenario (the test's report). */
export function printSummary(scenario: string, figures: Record<string, unknown>): void {
  process.stdout.write(`RELIABILITY ${JSON.stringify({ scenario, ...figures })}\n`);
}

/** Counts output lines matching `msg` (pino JSON "msg" field) since `sinceMs`. */
export function countLogLines(lines: readonly string[], msg: string, sinceMs = 0): number {
  let n = 0;
  for (const line of lines) {
    if (!line.includes(msg)) continue;
    if (sinceMs > 0) {
      const time = /"time":(\d+)/.exec(line)?.[1];
      if (time !== undefined && Number(time) < sinceMs) continue;
    }
    n++;
  }
  return n;
}

/** Server-side /api/push latency histogram summed over the APIs: requests ≤ le (s) and total. */
export async function pushLatencyCounts(
  topology: Topology,
  le = '0.05',
): Promise<{ within: number; total: number }> {
  let within = 0;
  let total = 0;
  for (const api of topology.apis) {
    const text = await fetch(`http://127.0.0.1:${api.port}/metrics`).then((r) => r.text());
    for (const line of text.split('\n')) {
      if (!line.startsWith('http_request_duration_seconds_') || !line.includes('route="/api/push"')) continue;
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (line.startsWith('http_request_duration_seconds_bucket') && line.includes(`le="${le}"`))
        within += value;
      else if (line.startsWith('http_request_duration_seconds_count')) total += value;
    }
  }
  return { within, total };
}

/** Ids of the entries pending for one consumer (or all consumers). */
export async function pendingIds(topology: Topology, consumer?: string): Promise<string[]> {
  const args: (string | number)[] = [topology.stream, 'etl', '-', '+', 100_000];
  if (consumer) args.push(consumer);
  const reply = (await topology.redisClient.call('XPENDING', ...args)) as [string, string, number, number][];
  return reply.map((r) => r[0]);
}

/** Polls until none of `ids` is pending any more; returns the time it took. */
export async function waitReclaimed(
  topology: Topology,
  ids: readonly string[],
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    const pending = new Set(await pendingIds(topology));
    if (!ids.some((id) => pending.has(id))) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`entries still pending after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sums a Prometheus counter (every label set, or those whose line includes `match`) over the APIs. */
export function sumApiMetric(topology: Topology, name: string, match = ''): Promise<number> {
  return sumMetric(topology.apis, name, match);
}

/** Sums a metric over the /metrics pages of running role processes (APIs or ETLs). */
export async function sumMetric(roles: readonly RoleProcess[], name: string, match = ''): Promise<number> {
  let sum = 0;
  for (const role of roles) {
    if (!role.running) continue;
    const text = await fetch(`http://127.0.0.1:${role.port}/metrics`).then((r) => r.text());
    for (const line of text.split('\n')) {
      if (!(line.startsWith(`${name} `) || line.startsWith(`${name}{`))) continue;
      if (match && !line.includes(match)) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

/** Sums a numeric field of the output lines whose pino "msg" is exactly `msg`. */
export function sumLogField(lines: readonly string[], msg: string, field: string): number {
  let sum = 0;
  const tag = `"msg":${JSON.stringify(msg)}`;
  for (const line of lines) {
    if (!line.includes(tag)) continue;
    try {
      const value = (JSON.parse(line) as Record<string, unknown>)[field];
      if (typeof value === 'number') sum += value;
    } catch {
      // Not a JSON line.
    }
  }
  return sum;
}

/** Resolves at the next output line of `role` containing `text`; rejects after timeoutMs. */
export function waitForLine(role: RoleProcess, text: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${role.name}: no "${text}" line within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = role.onLine((line) => {
      if (!line.includes(text)) return;
      clearTimeout(timer);
      off();
      resolve(line);
    });
  });
}
