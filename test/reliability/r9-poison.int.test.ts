import {
  createNodes,
  createOracle,
  printSummary,
  startLoad,
  startTopology,
  sumMetric,
  type Topology,
  verdict,
} from '@fiberstack/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

// R9: ten malformed entries XADDed straight into the stream while samples flow.
const DEAD_LETTER_AFTER = 5;
let topology: Topology;

beforeAll(async () => {
  topology = await startTopology({ apis: 2, etls: 2, env: { QUEUE_CLAIM_IDLE_MS: '1000' } });
}, 120_000);
afterAll(() => topology?.stop(), 60_000);

const POISON = [
  'not json',
  '{',
  '[]',
  'null',
  '42',
  '{"v":1}',
  '{"v":1,"message_id":"x","received_at":"soon","samples":"none"}',
  '{"v":999,"message_id":"m","received_at":0,"samples":[]}',
  '{"samples":[{"node_id":1}]}',
  '\u0000\u0001binary',
];

it('R9: each poison entry is dead-lettered after exactly 5 deliveries; other samples keep flowing', async () => {
  const oracle = createOracle();
  const nodes = await createNodes(topology, 5);
  const started = new Date();
  const load = startLoad({
    url: topology.url,
    nodes,
    oracle,
    total: 40_000,
    batchSize: 200,
    concurrency: 2,
    ratePerSec: 2_000,
  });
  await new Promise((r) => setTimeout(r, 2_000));
  const ids: string[] = [];
  for (const payload of POISON)
    ids.push(String(await topology.redisClient.xadd(topology.stream, '*', 'entry', payload)));
  const deadline = Date.now() + 120_000;
  while (
    (await topology.redisClient.xlen(`${topology.stream}:dead`)) < POISON.length &&
    Date.now() < deadline
  ) {
    await new Promise((r) => setTimeout(r, 250));
  }
  const stats = await load.done;
  const drainMs = await topology.waitDrained(30_000);
  const dead = await topology.redisClient.xrange(`${topology.stream}:dead`, '-', '+');
  const records = dead.map(([, fields]) => {
    const map = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] ?? '', fields[i + 1] ?? '');
    return {
      original: map.get('original_id'),
      deliveries: Number(map.get('deliveries')),
      reason: map.get('reason'),
    };
  });
  const result = await verdict(topology, oracle);
  const { rows } = await topology.db.query<{ p99: number; max: number }>(
    `SELECT coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM loaded_at - received_at)), 0)::float8 AS p99,
            coalesce(max(extract(epoch FROM loaded_at - received_at)), 0)::float8 AS max
       FROM samples WHERE received_at >= $1`,
    [started],
  );
  const lagP99 = Number(rows[0]?.p99 ?? 0);
  // The input of the FiberstackDeadLetterGrowing alert (deploy/prometheus/rules).
  const deadCounted = await sumMetric(topology.etls, 'fiberstack_dead_letter_total');
  printSummary('R9', {
    ...result,
    status: stats.status,
    poison: POISON.length,
    dlq: records.length,
    dlq_deliveries: records.map((r) => r.deliveries),
    dead_letter_total_metric: deadCounted,
    other_lag_p99_s: Math.round(lagP99 * 1000) / 1000,
    other_lag_max_s: Math.round(Number(rows[0]?.max ?? 0) * 1000) / 1000,
    drain_ms: drainMs,
  });
  expect(records.map((r) => r.original).sort()).toEqual([...ids].sort());
  for (const r of records) expect(r.deliveries).toBe(DEAD_LETTER_AFTER);
  expect(deadCounted).toBe(POISON.length);
  expect(result.lost).toBe(0);
  expect(result.dup).toBe(0);
  expect(lagP99).toBeLessThan(5);
}, 240_000);
