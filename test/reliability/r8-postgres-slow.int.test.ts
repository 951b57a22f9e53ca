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

// R8 (scaled for CI: 60 s of `latency 2000±500 ms` on ETL→PostgreSQL instead of 15 min; a
// high-water mark of 200 entries so the backlog reaches it within that time; criteria
// unchanged): the backlog grows, the API answers 503 + Retry-After instead of 202 past the
// mark, nothing crashes, and once the latency is gone the ETLs catch up with lost 0.
const SLOW_MS = Number(process.env.R8_SLOW_S ?? 60) * 1000;
const HIGH_WATER_MARK = 200;
const MAXMEMORY = 256 * 1024 * 1024;
let topology: Topology;

beforeAll(async () => {
  topology = await startTopology({
    apis: 2,
    etls: 2,
    etlDbProxy: true,
    redis: { appendonly: true, appendfsync: 'everysec', maxmemory: '256mb' },
    env: { QUEUE_HIGH_WATER_MARK: String(HIGH_WATER_MARK) },
    etlEnv: { ETL_BATCH_SIZE: '20' },
  });
}, 120_000);
afterAll(() => topology?.stop(), 60_000);

it(
  'R8: slow PostgreSQL → backlog grows, API back-pressures with 503 + Retry-After, no crash; recovers with lost 0',
  async () => {
    const proxy = topology.pgProxy;
    if (!proxy) throw new Error('no ETL→PostgreSQL proxy');
    const oracle = createOracle();
    const nodes = await createNodes(topology, 10);
    let slowFrom = Number.POSITIVE_INFINITY;
    let slowUntil = Number.POSITIVE_INFINITY;
    const whileSlow = { accepted: 0, backpressured: 0, other: 0 };
    const load = startLoad({
      url: topology.url,
      nodes,
      oracle,
      total: Math.round(2_000 * (SLOW_MS / 2000 + 10)),
      batchSize: 100,
      concurrency: 4,
      ratePerSec: 2_000,
      onResponse(status, latency, at) {
        if (at - latency < slowFrom || at > slowUntil) return;
        if (status === 202) whileSlow.accepted++;
        else if (status === 503 || status === 429) whileSlow.backpressured++;
        else whileSlow.other++;
      },
    });
    await new Promise((r) => setTimeout(r, 3_000));
    proxy.setLatency(2_000, 500);
    slowFrom = Date.now();
    const timeline: number[] = [];
    let maxUsedMemory = 0;
    while (Date.now() - slowFrom < SLOW_MS) {
      const s = await topology.queueStats();
      timeline.push(s.length);
      const info = await topology.redisClient.info('memory');
      maxUsedMemory = Math.max(maxUsedMemory, Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0));
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const etlsUpWhileSlow = topology.etls.map((e) => e.running);
    proxy.setLatency(0);
    slowUntil = Date.now();
    const stats = await load.done;
    const drainMs = await topology.waitDrained(180_000);
    const recoveredMs = Date.now() - slowUntil;
    const result = await verdict(topology, oracle);
    const queue = await topology.queueStats();
    const peak = Math.max(...timeline);
    printSummary('R8', {
      ...result,
      slow_s: SLOW_MS / 1000,
      stream_length_every_5s: timeline.filter((_, i) => i % 5 === 0),
      peak_length: peak,
      high_water_mark: HIGH_WATER_MARK,
      while_slow: whileSlow,
      status: stats.status,
      missing_retry_after: stats.missing_retry_after,
      etls_running: etlsUpWhileSlow,
      redis_used_memory_pct: Math.round((maxUsedMemory / MAXMEMORY) * 1000) / 10,
      recovered_after_ms: recoveredMs,
      drain_ms: drainMs,
      dlq: queue.dead,
    });
    // The lag grew: the backlog reached the high-water mark while PostgreSQL was slow …
    expect(peak).toBeGreaterThanOrEqual(HIGH_WATER_MARK);
    // … and the API answered 503/429 with Retry-After instead of 202 past it.
    expect(whileSlow.backpressured).toBeGreaterThan(0);
    expect(whileSlow.other).toBe(0);
    expect(stats.missing_retry_after).toBe(0);
    // No OOM, no crash: both ETLs stayed up, Redis far from its memory limit.
    expect(etlsUpWhileSlow).toEqual([true, true]);
    expect(topology.etls.every((e) => e.running)).toBe(true);
    expect(maxUsedMemory / MAXMEMORY).toBeLessThan(0.7);
    // Then it recovered: everything drained, nothing lost, nothing doubled, nothing dead-lettered.
    expect(stats.given_up).toBe(0);
    expect(result.lost).toBe(0);
    expect(result.dup).toBe(0);
    expect(queue.dead).toBe(0);
  },
  SLOW_MS + 300_000,
);
