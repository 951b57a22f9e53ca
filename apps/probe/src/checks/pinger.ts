import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type PingerKind = 'fping' | 'ping';
export interface Pinger {
  kind: PingerKind;
  path: string;
}

let cached: Pinger | null | undefined;

function findInPath(name: string, pathVar: string): string | undefined {
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The system ICMP tool: fping preferred (many hosts per process, per-packet RTTs, used by
 * SmokePing), iputils `ping` as fallback. Both need CAP_NET_RAW or ping_group_range.
 */
export function detectPinger(pathVar = process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'): Pinger | null {
  if (cached !== undefined) return cached;
  const fping = findInPath('fping', pathVar);
  if (fping) cached = { kind: 'fping', path: fping };
  else {
    const ping = findInPath('ping', pathVar);
    cached = ping ? { kind: 'ping', path: ping } : null;
  }
  return cached;
}

/**
 * fping -C -q summary lines, one per host in the order given: `host : 0.06 0.04 -` ('-' = no
 * answer). The host is printed as written on the command line; a host named twice has two
 * lines, so each name maps to its lines in order. Lines with the wrong number of values and
 * error lines are ignored (a host without a line did not resolve).
 */
export function parseFpingSummaries(output: string, count: number): Map<string, Array<Array<number | null>>> {
  const byHost = new Map<string, Array<Array<number | null>>>();
  for (const line of output.split('\n')) {
    const m = /^(\S+)\s+:\s+((?:[\d.]+|-)(?:\s+(?:[\d.]+|-))*)\s*$/.exec(line.trim());
    if (!m?.[1] || !m[2]) continue;
    const values = m[2].split(/\s+/).map((v) => (v === '-' ? null : Number(v)));
    if (values.length !== count || values.some((v) => v !== null && !Number.isFinite(v))) continue;
    const lines = byHost.get(m[1]);
    if (lines) lines.push(values);
    else byHost.set(m[1], [values]);
  }
  return byHost;
}

/** iputils ping lines `… icmp_seq=3 ttl=64 time=0.046 ms`, placed by sequence number. */
export function parsePingOutput(output: string, count: number): Array<number | null> {
  const out: Array<number | null> = new Array(count).fill(null);
  for (const m of output.matchAll(/icmp_seq=(\d+)\b.*?\btime[=<]([\d.]+)\s*ms/g)) {
    const seq = Number(m[1]);
    if (seq >= 1 && seq <= count && out[seq - 1] === null) out[seq - 1] = Number(m[2]);
  }
  return out;
}
