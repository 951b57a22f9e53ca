import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startTopology, type Topology } from '@fiberstack/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type LoopbackTargets,
  ProbeProcess,
  scrape,
  sleep,
  startLoopbackTargets,
  waitUntil,
} from './probe-harness.ts';

// The probe offline for 10 minutes, end to end in production mode: a real `fiberstack probe`
// process with 50 loopback targets (25 HTTP, 25 TCP) every 10 s pushes to a real
// `fiberstack api` (Redis Streams) drained by a real `fiberstack etl` into PostgreSQL.
// The API is stopped for OUTAGE_MS; afterwards every round the probe made must be stored
// exactly once. Runtime ≈ 11.5 min (the outage itself is 10 min, as specified).
const OUTAGE_MS = 10 * 60_000;
const INTERVAL_S = 10;
const NODE = 'probe-offline-01';

let topology: Topology;
let targets: LoopbackTargets;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fiberstack-probe-offline-'));
  [topology, targets] = await Promise.all([
    startTopology({ apis: 1, etls: 1, nginx: false }),
    startLoopbackTargets(25, 25),
  ]);
}, 180_000);

afterAll(async () => {
  await topology?.stop();
  await targets?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function apiQueuedTotal(): Promise<number> {
  const api = topology.apis[0]!;
  const m = await scrape(`http://127.0.0.1:${api.port}/metrics`);
  return m.get('fiberstack_samples_queued_total') ?? 0;
}

it(
  'API stopped 10 min while the probe runs 50 targets every 10 s: afterwards every round is stored exactly once',
  async () => {
    const key = await topology.createKey(NODE);
    const metricsPort = await freePort();
    const config = join(dir, 'probe.yaml');
    writeFileSync(
      config,
      `node_id: ${NODE}
region: Loopback
country: GH
api_endpoint: ${topology.url}/api/push
api_key: ${key}
interval_seconds: ${INTERVAL_S}
targets:
${targets.yaml(INTERVAL_S)}
buffer: { dir: ${join(dir, 'buffer')} }
push: { backoff_base_ms: 500, backoff_cap_ms: 5000 }
metrics_listen: "127.0.0.1:${metricsPort}"
`,
    );
    const probeMetrics = () => scrape(`http://127.0.0.1:${metricsPort}/metrics`);
    const probe = new ProbeProcess(config);
    probe.start();
    try {
      await probe.waitFor('probe started', 60_000);
      // The probe keeps its grid on the monotonic clock; so does the test (a wall-clock step or a
      // paused VM moves Date.now() without the probe's timers seeing that time pass).
      const t0 = performance.now();
      // Phase 1: API up — rounds reach PostgreSQL.
      await waitUntil(async () => (await topology.countRows()) >= 50, 60_000, 'first rounds stored');
      const queuedBefore = await apiQueuedTotal();

      // Phase 2: the API stopped for 10 minutes; the probe keeps measuring and buffering.
      const stoppedAt = performance.now();
      const exit = await topology.killApi(0, 'SIGTERM');
      expect(exit.code).toBe(0);
      const rowsAtStop = await topology.countRows();
      await sleep(OUTAGE_MS);
      const during = await probeMetrics();
      const pendingAtEnd = during.get('fiberstack_probe_buffer_pending_samples') ?? 0;
      const retries = during.get('fiberstack_probe_push_retries_total') ?? 0;
      const rowsDuringOutage = await topology.countRows();

      // Phase 3: the API is back; the backlog drains.
      await topology.restartApi(0);
      const backAt = performance.now();
      await waitUntil(
        async () => ((await probeMetrics()).get('fiberstack_probe_buffer_pending_samples') ?? -1) === 0,
        120_000,
        'probe buffer drained',
      );
      const drainedMs = Math.round(performance.now() - backAt);
      const runMs = performance.now() - t0;
      // Rounds the probe did not run (a round still running, or the process stalled past a
      // round's time on a loaded machine): counted by the probe, never silent.
      const skippedRounds = [...(await probeMetrics())]
        .filter(([k]) => k.startsWith('fiberstack_probe_rounds_skipped_total'))
        .reduce((sum, [, v]) => sum + v, 0);

      // Graceful stop: the last rounds are flushed; the final counts are logged.
      const stopped = probe.waitFor('probe stopped', 30_000);
      const { code } = await probe.kill('SIGTERM');
      expect(code).toBe(0);
      const final = await stopped;
      const samplesTotal = Number(final.samples_total);
      const aborted = Number(final.rounds_aborted_total);
      // Wait for the ETL to store what the API queued (no throw: the figures below say why).
      await waitUntil(
        async () => (await topology.countRows()) >= samplesTotal,
        120_000,
        'every sample stored',
      ).catch(() => undefined);
      const queue = await topology.queueStats();
      const queuedAfter = await apiQueuedTotal();
      const apiMetrics = await scrape(`http://127.0.0.1:${topology.apis[0]!.port}/metrics`);
      const apiRejected = [...apiMetrics].filter(([k]) => k.startsWith('fiberstack_samples_rejected_total'));
      const problems = [...topology.etls[0]!.lines, ...topology.apis[0]!.lines]
        .filter((l) => /"level":"(warn|error|fatal)"/.test(l))
        .slice(-10);

      const stored = (await topology.storedSamples()).filter((s) => s.node === NODE);
      const rows = await topology.countRows();
      const perSeries = new Map<string, number[]>();
      for (const s of stored) {
        const list = perSeries.get(s.target) ?? [];
        list.push(s.seq);
        perSeries.set(s.target, list);
      }
      const counts = [...perSeries.values()].map((l) => l.length);
      const roundsPerTarget = Math.floor(runMs / (INTERVAL_S * 1000));
      process.stdout.write(
        `${JSON.stringify({
          outage_ms: Math.round(backAt - stoppedAt),
          pending_at_end_of_outage: pendingAtEnd,
          push_retries_during_outage: retries,
          drain_ms: drainedMs,
          samples_total: samplesTotal,
          rounds_aborted_at_stop: aborted,
          rows,
          target_hits: targets.totalHits(),
          api_queued: queuedBefore + queuedAfter,
          rounds_per_target_min: Math.min(...counts),
          rounds_per_target_max: Math.max(...counts),
          rounds_per_target_expected: roundsPerTarget,
          rounds_skipped: skippedRounds,
          probe_rejected_total: Number(final.rejected_total),
          api_rejected: Object.fromEntries(apiRejected),
          queue,
        })}\n${problems.join('\n')}\n`,
      );

      // The outage was real: nothing stored, the probe buffered ≈ 10 min of rounds and retried.
      expect(rowsDuringOutage).toBe(rowsAtStop);
      expect(pendingAtEnd).toBeGreaterThanOrEqual(Math.floor((OUTAGE_MS / (INTERVAL_S * 1000)) * 50 * 0.9));
      expect(retries).toBeGreaterThan(0);
      expect(Number(final.pending_records)).toBe(0);
      expect(Number(final.dropped_total)).toBe(0);
      expect(Number(final.rejected_total)).toBe(0);
      expect(queue).toMatchObject({ length: 0, pending: 0, dead: 0 });

      // Exactly once: rows = rounds made by the probe = rounds × targets, no duplicate, no gap.
      expect(rows).toBe(stored.length);
      expect(stored.length).toBe(samplesTotal);
      expect(queuedBefore + queuedAfter).toBe(samplesTotal); // the API accepted each sample once
      expect(perSeries.size).toBe(50);
      expect([...perSeries.keys()].sort()).toEqual([...targets.series].sort());
      for (const seqs of perSeries.values()) {
        seqs.sort((a, b) => a - b);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
        // No target ran more often than its 10 s interval allows (+2: its random offset, the stop).
        expect(seqs.length).toBeLessThanOrEqual(roundsPerTarget + 2);
      }
      // Every round due while the test watched was run or reported as skipped (−1 per target
      // for its random offset).
      expect(stored.length + skippedRounds).toBeGreaterThanOrEqual(50 * (roundsPerTarget - 1));
      // The targets saw every round the probe stored (and at most the rounds cut by the stop).
      expect(targets.totalHits()).toBeGreaterThanOrEqual(samplesTotal);
      expect(targets.totalHits()).toBeLessThanOrEqual(samplesTotal + aborted);
    } finally {
      await probe.kill('SIGKILL');
    }
  },
  20 * 60_000,
);
