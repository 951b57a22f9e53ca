import {
  createNodes,
  createOracle,
  pendingIds,
  printSummary,
  startLoad,
  startTopology,
  type Topology,
  verdict,
  waitForLine,
} from '@fiberstack/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

// R3 (scaled for CI: 3 SIGTERMs per replica instead of 10; criteria unchanged). Each SIGTERM
// lands while the replica holds a committed, not yet acked batch (the
// ETL_DEBUG_PAUSE_AFTER_COMMIT_MS window): the hardest moment for a graceful stop.
const STOPS_PER_REPLICA = 3;
let topology: Topology;

beforeAll(async () => {
  topology = await startTopology({
    apis: 2,
    etls: 2,
    etlEnv: { ETL_BATCH_SIZE: '5', ETL_DEBUG_PAUSE_AFTER_COMMIT_MS: '300' },
  });
}, 120_000);
afterAll(() => topology?.stop(), 60_000);

it('R3: SIGTERM commits and acks the in-flight batch, exits < 10 s, no redelivery', async () => {
  const oracle = createOracle();
  const nodes = await createNodes(topology, 10);
  const load = startLoad({
    url: topology.url,
    nodes,
    oracle,
    total: 1_000_000, // an upper bound: generation stops after the last fault
    batchSize: 500,
    concurrency: 4,
    ratePerSec: 3_000,
  });
  // Any entry handed out more than once shows up in XPENDING with a delivery count > 1.
  const redelivered = new Set<string>();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const reply = (await topology.redisClient
        .call('XPENDING', topology.stream, 'etl', '-', '+', 10_000)
        .catch(() => [])) as [string, string, number, number][];
      for (const [id, , , count] of reply) if (Number(count) > 1) redelivered.add(id);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const lastOutcomes: string[] = [];
  const stops: { etl: number; exit_ms: number; code: number | null; left_pending: number }[] = [];
  for (let round = 0; round < STOPS_PER_REPLICA; round++) {
    for (const i of [0, 1]) {
      const etl = topology.etls[i];
      if (!etl) throw new Error(`no ETL ${i}`);
      await waitForLine(etl, 'etl debug pause after commit', 60_000);
      const consumer = topology.etlConsumer(i);
      const exit = await topology.killEtl(i, 'SIGTERM');
      // Its last batch line: the in-flight batch was acked, not abandoned.
      const last = etl.lines.filter((l) => l.includes('"msg":"etl batch"')).at(-1) ?? '';
      lastOutcomes.push(/"outcome":"(\w+)"/.exec(last)?.[1] ?? 'none');
      const left = await pendingIds(topology, consumer);
      stops.push({ etl: i, exit_ms: exit.ms, code: exit.code, left_pending: left.length });
      await topology.restartEtl(i);
    }
  }
  load.stopGenerating();
  const stats = await load.done;
  const drainMs = await topology.waitDrained(30_000);
  sampling = false;
  await sampler;
  const result = await verdict(topology, oracle);
  const queue = await topology.queueStats();
  printSummary('R3', {
    ...result,
    status: stats.status,
    stops,
    in_flight_batch_outcomes: lastOutcomes,
    redeliveries: redelivered.size,
    drain_ms: drainMs,
    dlq: queue.dead,
  });
  for (const s of stops) {
    expect(s.code).toBe(0);
    expect(s.exit_ms).toBeLessThan(10_000);
    expect(s.left_pending).toBe(0);
  }
  expect(lastOutcomes).toEqual(stops.map(() => 'committed'));
  expect(redelivered.size).toBe(0);
  expect(result.lost).toBe(0);
  expect(result.dup).toBe(0);
  expect(queue.dead).toBe(0);
}, 300_000);
