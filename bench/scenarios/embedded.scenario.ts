import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { procStats } from '../proc-stats.ts';
import { percentile } from '../result.ts';

const BIN = join(import.meta.dirname, '..', '..', 'apps', 'cli', 'bin', 'fiberstack.js');

/**
 * A real small deployment on the all-in-one mode: P probes × T targets, each probe pushing one
 * batch of T samples every interval, spread over the interval as real probes are. Measures
 * ingest lag (sample time → visible in /api/metrics), queue depth, CPU and RSS of the server.
 */
export async function embeddedScenario(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      probes: { type: 'string', default: '20' },
      targets: { type: 'string', default: '50' },
      interval: { type: 'string', default: '60' },
      minutes: { type: 'string', default: '10' },
      port: { type: 'string', default: '18731' },
    },
  });
  const probes = Number(values.probes);
  const targets = Number(values.targets);
  const intervalS = Number(values.interval);
  const durationMs = Number(values.minutes) * 60_000;
  const base = `http://127.0.0.1:${values.port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'fiberstack-bench-embedded-'));
  const server = spawn(process.execPath, [BIN, 'up', '--port', values.port, '--data-dir', dataDir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitReady(base);
    const admin = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const nodes = Array.from({ length: probes }, (_, i) => `probe-bench-${String(i).padStart(2, '0')}`);
    const keys = new Map<string, string>();
    for (const node of nodes) {
      const res = await fetch(`${base}/api/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ node_id: node }),
      });
      keys.set(node, ((await res.json()) as { key: string }).key);
    }
    process.stdout.write(
      `embedded: ${probes} probes × ${targets} targets every ${intervalS} s for ${values.minutes} min (${(probes * targets * 60) / intervalS} samples/min)\n`,
    );

    const lags: number[] = [];
    const perMinute: {
      minute: number;
      lag_p50_ms: number;
      lag_max_ms: number;
      cpu_pct: number;
      rss_mib: number;
      depth: number;
    }[] = [];
    let pushed = 0;
    let non202 = 0;
    const t0 = Date.now();
    const cpu0 = procStats(server.pid as number).cpuSeconds;
    let lastCpu = cpu0;
    let lastTick = t0;
    let minuteLags: number[] = [];
    const pending: Promise<void>[] = [];

    const round = async (node: string, at: number) => {
      const ts = new Date(at);
      const samples = Array.from({ length: targets }, (_, t) => ({
        node_id: node,
        country: 'GH',
        region: 'Ghana',
        target: `target-${t}.example`,
        check: 'icmp',
        latency_ms: 20 + Math.random() * 30,
        uptime_pct: 100,
        packet_loss: 0,
        timestamp: ts.toISOString(),
      }));
      const res = await fetch(`${base}/api/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.get(node)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ samples }),
      });
      await res.arrayBuffer();
      if (res.status !== 202) {
        non202++;
        return;
      }
      pushed += targets;
      // Lag: until the last target's sample of this round is visible.
      const q = `${base}/api/metrics?node_id=${node}&aggregation=raw&target=target-${targets - 1}.example&start=${ts.toISOString()}&end=${new Date(at + 1000).toISOString()}`;
      for (;;) {
        const m = (await (await fetch(q)).json()) as { data: unknown[] };
        if (m.data.length > 0) break;
        await sleep(50);
      }
      const lag = Date.now() - at;
      lags.push(lag);
      minuteLags.push(lag);
    };

    // Each probe starts at a random offset in the interval, then pushes every interval.
    const offsets = nodes.map(() => Math.random() * intervalS * 1000);
    const timers: NodeJS.Timeout[] = [];
    nodes.forEach((node, i) => {
      const first = setTimeout(() => {
        const fire = () => pending.push(round(node, Date.now()));
        fire();
        timers.push(setInterval(fire, intervalS * 1000));
      }, offsets[i]);
      timers.push(first);
    });
    while (Date.now() - t0 < durationMs) {
      await sleep(Math.min(60_000, durationMs - (Date.now() - t0)));
      const now = Date.now();
      const s = procStats(server.pid as number);
      const status = (await (await fetch(`${base}/api/status`)).json()) as { queue?: { depth: number } };
      const sorted = [...minuteLags].sort((a, b) => a - b);
      const row = {
        minute: Math.round((now - t0) / 60_000),
        lag_p50_ms: Math.round(percentile(sorted, 50)),
        lag_max_ms: Math.round(sorted.at(-1) ?? Number.NaN),
        cpu_pct: Math.round(((s.cpuSeconds - lastCpu) / ((now - lastTick) / 1000)) * 1000) / 10,
        rss_mib: Math.round(s.rssBytes / 2 ** 20),
        depth: status.queue?.depth ?? -1,
      };
      perMinute.push(row);
      process.stdout.write(`  ${JSON.stringify(row)}\n`);
      minuteLags = [];
      lastCpu = s.cpuSeconds;
      lastTick = now;
    }
    for (const t of timers) clearTimeout(t);
    await Promise.all(pending);
    const sorted = [...lags].sort((a, b) => a - b);
    const s = procStats(server.pid as number);
    const figures = {
      probes,
      targets,
      interval_s: intervalS,
      minutes: Number(values.minutes),
      samples_pushed: pushed,
      non_202: non202,
      ingest_lag_p50_ms: Math.round(percentile(sorted, 50)),
      ingest_lag_p99_ms: Math.round(percentile(sorted, 99)),
      ingest_lag_max_ms: Math.round(sorted.at(-1) ?? Number.NaN),
      server_cpu_pct_avg: Math.round(((s.cpuSeconds - cpu0) / ((Date.now() - t0) / 1000)) * 1000) / 10,
      server_rss_mib_end: Math.round(s.rssBytes / 2 ** 20),
      per_minute: perMinute,
    };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    return figures;
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitReady(base: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return;
    } catch {}
    await sleep(100);
  }
  throw new Error('fiberstack up did not become ready');
}
