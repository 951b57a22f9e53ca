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

// R21 (scaled for CI: both ETLs stopped 30 s at full load instead of 1 h; the high-water mark
// is 300 entries so the API reaches it within seconds; criteria unchanged). While no ETL runs,
// nothing may leave the stream: XLEN grows by exactly the entries added, the oldest entry
// stays, and past the high-water mark the API answers 503 + Retry-After instead of 202.
const STOPPED_MS = Number(process.env.R21_STOPPED_S ?? 30) * 1000;
const HIGH_WATER_MARK = 300;
const BATCH_SIZE = 100;
let topology: Topology;

beforeAll(async () => {
  topology = await startTopology({
    apis: 2,
    etls: 2,
    env: { QUEUE_HIGH_WATER_MARK: String(HIGH_WATER_MARK) },
  });
}, 120_000);
afterAll(() => topology?.stop(), 60_000);

interface StreamInfo {
  length: number;
  entriesAdded: number;
  firstId: string | null;
}

async function streamInfo(): Promise<StreamInfo> {
  const reply = (await topology.redisClient.call('XINFO', 'STREAM', topology.stream)) as unknown[];
  const field = (name: string) => reply[reply.indexOf(name) + 1];
  const first = field('first-entry') as [string, string[]] | null;
  return {
    length: Number(field('length')),
    entriesAdded: Number(field('entries-added')),
    firstId: first ? first[0] : null,
  };
}

it('R21: no entry leaves the stream before its ack; the API back-pressures at the high-water mark; lost 0', async () => {
  const oracle = createOracle();
  const nodes = await createNodes(topology, 10);
  let stoppedAt = Number.POSITIVE_INFINITY;
  let restartedAt = Number.POSITIVE_INFINITY;
  const whileStopped = { accepted: 0, backpressured: 0, other: 0 };
  const load = startLoad({
    url: topology.url,
    nodes,
    oracle,
    total: 120_000,
    batchSize: BATCH_SIZE,
    concurrency: 4,
    ratePerSec: 4_000,
    onResponse(status, latency, at) {
      if (at - latency < stoppedAt || at > restartedAt) return;
      if (status === 202) whileStopped.accepted++;
      else if (status === 503 || status === 429) whileStopped.backpressured++;
      else whileStopped.other++;
    },
  });
  await new Promise((r) => setTimeout(r, 3_000));
  const exits = await Promise.all(topology.etls.map((_, i) => topology.killEtl(i, 'SIGTERM')));
  stoppedAt = Date.now();
  const atStop = await streamInfo();
  const violations: string[] = [];
  let maxLength = atStop.length;
  let samplesTaken = 0;
  while (Date.now() - stoppedAt < STOPPED_MS) {
    const now = await streamInfo();
    samplesTaken++;
    maxLength = Math.max(maxLength, now.length);
    const removed = atStop.length + (now.entriesAdded - atStop.entriesAdded) - now.length;
    if (removed !== 0) violations.push(`${removed} entries removed at +${Date.now() - stoppedAt} ms`);
    if (atStop.firstId !== null && now.firstId !== atStop.firstId)
      violations.push(`oldest entry ${atStop.firstId} gone (now ${now.firstId})`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const atEnd = await streamInfo();
  restartedAt = Date.now();
  await Promise.all(topology.etls.map((_, i) => topology.restartEtl(i)));
  const stats = await load.done;
  const drainMs = await topology.waitDrained(120_000);
  const result = await verdict(topology, oracle);
  const queue = await topology.queueStats();
  printSummary('R21', {
    ...result,
    stopped_s: STOPPED_MS / 1000,
    etl_exit_codes: exits.map((e) => e.code),
    length_at_stop: atStop.length,
    length_at_end: atEnd.length,
    max_length: maxLength,
    high_water_mark: HIGH_WATER_MARK,
    entries_added_while_stopped: atEnd.entriesAdded - atStop.entriesAdded,
    while_stopped: whileStopped,
    violations: violations.slice(0, 5),
    checks: samplesTaken,
    status: stats.status,
    missing_retry_after: stats.missing_retry_after,
    drain_after_restart_ms: drainMs,
    dlq: queue.dead,
  });
  expect(violations).toEqual([]);
  expect(samplesTaken).toBeGreaterThan(10);
  // Back-pressure: the stream reached the mark, then pushes got 503 + Retry-After, not 202.
  expect(maxLength).toBeGreaterThanOrEqual(HIGH_WATER_MARK);
  // Each API checks the depth at most every 250 ms; a few in-flight appends may pass the mark.
  expect(maxLength).toBeLessThan(HIGH_WATER_MARK + 50);
  expect(whileStopped.backpressured).toBeGreaterThan(0);
  expect(whileStopped.other).toBe(0);
  expect(stats.missing_retry_after).toBe(0);
  expect(stats.given_up).toBe(0);
  expect(result.lost).toBe(0);
  expect(result.dup).toBe(0);
  expect(queue.dead).toBe(0);
}, 300_000);
