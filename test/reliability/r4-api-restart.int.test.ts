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

// R4 (scaled for CI: 6 restarts and 40 pushers instead of 10 and 200; criteria unchanged).
const RESTARTS = 6;
let topology: Topology;

beforeAll(async () => {
  topology = await startTopology({ apis: 2, etls: 2 });
}, 120_000);
afterAll(() => topology?.stop(), 60_000);

it('R4: API replicas restarted under push (kill -9 / SIGTERM): only retryable errors, lost 0, dup 0', async () => {
  const oracle = createOracle();
  const nodes = await createNodes(topology, 40);
  const load = startLoad({
    url: topology.url,
    nodes,
    oracle,
    total: 1_000_000, // an upper bound: generation stops after the last fault
    batchSize: 200,
    concurrency: 40,
    ratePerSec: 3_000,
  });
  const restarts: { api: number; signal: string; exit_ms: number }[] = [];
  for (let r = 0; r < RESTARTS; r++) {
    await new Promise((res) => setTimeout(res, 1_000 + Math.random() * 1_000));
    const api = r % 2;
    const signal = r % 4 < 2 ? 'SIGKILL' : 'SIGTERM';
    const exit = await topology.killApi(api, signal);
    restarts.push({ api, signal, exit_ms: exit.ms });
    await topology.restartApi(api);
  }
  const lastRestart = Date.now();
  load.stopGenerating();
  const stats = await load.done;
  const backToBaselineMs = Date.now() - lastRestart;
  const drainMs = await topology.waitDrained(30_000);
  const result = await verdict(topology, oracle);
  const unexpected = Object.keys(stats.status).filter(
    (s) => !['202', '502', '503', 'conn_error'].includes(s),
  );
  printSummary('R4', {
    ...result,
    status: stats.status,
    restarts,
    retries: stats.retries,
    pushers_done_after_last_restart_ms: backToBaselineMs,
    drain_ms: drainMs,
  });
  expect(unexpected).toEqual([]);
  expect(stats.given_up).toBe(0);
  expect(result.lost).toBe(0);
  expect(result.dup).toBe(0);
  expect(backToBaselineMs).toBeLessThan(120_000);
}, 300_000);
