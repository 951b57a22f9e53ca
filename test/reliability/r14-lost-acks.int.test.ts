import {
  type AckLossProxy,
  createNodes,
  createOracle,
  printSummary,
  startAckLossProxy,
  startLoad,
  startTopology,
  sumApiMetric,
  type Topology,
  verdict,
} from '@fiberstack/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

// R14: the proxy between the pushers and nginx resets the connection after the API produced
// its 202 (the answer never reaches the pusher) for 30 % of the batches; 1,000 batches.
const BATCHES = 1_000;
const BATCH_SIZE = 20;
let topology: Topology;
let proxy: AckLossProxy;

beforeAll(async () => {
  topology = await startTopology({ apis: 2, etls: 2 });
  const target = new URL(topology.url);
  proxy = await startAckLossProxy({
    target: { host: target.hostname, port: Number(target.port) },
    probability: 0.3,
  });
}, 120_000);
afterAll(async () => {
  await proxy?.close();
  await topology?.stop();
}, 60_000);

it('R14: every batch whose 202 was lost is retried; stored rows = distinct samples (dup 0)', async () => {
  const oracle = createOracle();
  const nodes = await createNodes(topology, 10);
  const load = startLoad({
    url: proxy.url,
    nodes,
    oracle,
    total: BATCHES * BATCH_SIZE,
    batchSize: BATCH_SIZE,
    concurrency: 8,
    retryMinMs: 20,
    retryMaxMs: 200,
  });
  const stats = await load.done;
  const queued = await sumApiMetric(topology, 'fiberstack_samples_queued_total');
  const drainMs = await topology.waitDrained(60_000);
  const result = await verdict(topology, oracle);
  const queue = await topology.queueStats();
  printSummary('R14', {
    ...result,
    batches: stats.batches_generated,
    acks_lost: proxy.dropped,
    retries: stats.retries,
    samples_queued_by_api: queued,
    status: stats.status,
    drain_ms: drainMs,
    dlq: queue.dead,
  });
  expect(stats.batches_generated).toBe(BATCHES);
  // The fault really happened, and every lost acknowledgement led to a retry.
  expect(proxy.dropped).toBeGreaterThan(BATCHES * 0.1);
  expect(stats.status.conn_error ?? 0).toBeGreaterThanOrEqual(proxy.dropped);
  expect(stats.retries).toBeGreaterThanOrEqual(proxy.dropped);
  expect(stats.batches_accepted).toBe(BATCHES);
  expect(stats.given_up).toBe(0);
  // The API queued those batches twice or more; the natural key stores each sample once.
  expect(queued).toBeGreaterThanOrEqual((BATCHES + proxy.dropped) * BATCH_SIZE);
  expect(result.lost).toBe(0);
  expect(result.dup).toBe(0);
  expect(result.rows).toBe(BATCHES * BATCH_SIZE);
  expect(queue.dead).toBe(0);
}, 240_000);
