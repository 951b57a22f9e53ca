import {
  createNodes,
  createOracle,
  printSummary,
  startLoad,
  startTopology,
  type Topology,
  verdict,
} from '@fiberstack/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

// M1: 2 API + 2 ETL, 200,000 samples over HTTP in batches while one ETL is
// SIGKILLed three times mid-run and restarted: rows = distinct = sent.
const TOTAL = 200_000;
let topology: Topology;

beforeAll(async () => {
  topology = await startTopology({ apis: 2, etls: 2, env: { QUEUE_CLAIM_IDLE_MS: '3000' } });
}, 120_000);
afterAll(() => topology?.stop(), 60_000);

it('M1: 200k samples, ETL 0 SIGKILLed 3× and restarted → rows = distinct = sent', async () => {
  const oracle = createOracle();
  const nodes = await createNodes(topology, 20);
  const started = Date.now();
  const load = startLoad({
    url: topology.url,
    nodes,
    oracle,
    total: TOTAL,
    batchSize: 1000,
    concurrency: 4,
    ratePerSec: 8_000,
  });
  const kills: { at_accepted: number; pending: number }[] = [];
  for (const share of [0.25, 0.5, 0.75]) {
    while (load.stats.samples_accepted < TOTAL * share) await new Promise((r) => setTimeout(r, 50));
    // Kill while ETL 0 holds entries (read, not yet acked): a worker that keeps up with the
    // load holds a batch only for the tens of milliseconds it takes to load it.
    const holding = Date.now() + 5_000;
    while (Date.now() < holding) {
      const held = (await topology.queueStats()).consumers[topology.etlConsumer(0)] ?? 0;
      if (held > 0) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    await topology.killEtl(0, 'SIGKILL');
    const stats = await topology.queueStats();
    kills.push({
      at_accepted: load.stats.samples_accepted,
      pending: stats.consumers[topology.etlConsumer(0)] ?? 0,
    });
    await topology.restartEtl(0);
  }
  const stats = await load.done;
  const pushMs = Date.now() - started;
  const drainMs = await topology.waitDrained(120_000);
  const result = await verdict(topology, oracle);
  const queue = await topology.queueStats();
  printSummary('M1', {
    ...result,
    sent: stats.samples_accepted,
    status: stats.status,
    kills,
    push_ms: pushMs,
    drain_after_push_ms: drainMs,
    dlq: queue.dead,
  });
  // The kills hit a worker with work in hand (entries read, not yet acked).
  expect(kills.some((k) => k.pending > 0)).toBe(true);
  expect(stats.given_up).toBe(0);
  expect(stats.samples_accepted).toBe(TOTAL);
  expect(result.rows).toBe(TOTAL);
  expect(result.stored_distinct).toBe(TOTAL);
  expect(result.lost).toBe(0);
  expect(result.dup).toBe(0);
  expect(queue.dead).toBe(0);
}, 300_000);
