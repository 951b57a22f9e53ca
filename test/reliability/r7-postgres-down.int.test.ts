import {
  countLogLines,
  createNodes,
  createOracle,
  printSummary,
  startLoad,
  startTopology,
  type Topology,
  verdict,
} from '@fiberstack/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

// R7: PostgreSQL stopped for 2 minutes under push (R7_OUTAGE_S
// overrides; the release test is 5 min). ETL backoff is capped at 5 s here (default 30 s).
const OUTAGE_MS = Number(process.env.R7_OUTAGE_S ?? 120) * 1000;
const MAXMEMORY = 256 * 1024 * 1024;
let topology: Topology;

beforeAll(async () => {
  topology = await startTopology({
    apis: 2,
    etls: 2,
    redis: { appendonly: true, appendfsync: 'everysec', maxmemory: '256mb' },
    etlEnv: { ETL_BACKOFF_MAX_MS: '5000' },
  });
}, 120_000);
afterAll(() => topology?.stop(), 60_000);

const RETRY_LINES = ['etl batch failed; retrying', 'etl read failed; retrying'];

it(
  'R7: PostgreSQL down → ETL retries ≤ 1/s/worker, no XACK, DLQ 0; afterwards lost 0, dup 0',
  async () => {
    const oracle = createOracle();
    const nodes = await createNodes(topology, 10);
    const load = startLoad({
      url: topology.url,
      nodes,
      oracle,
      total: Math.round(1_000 * (OUTAGE_MS / 1000 + 30)),
      batchSize: 100,
      concurrency: 4,
      ratePerSec: 1_000,
    });
    await new Promise((r) => setTimeout(r, 3_000));
    // Freeze the ETLs for 2 s so the stream holds a backlog when PostgreSQL goes away.
    for (const etl of topology.etls) etl.signal('SIGSTOP');
    await new Promise((r) => setTimeout(r, 2_000));
    await topology.stopPostgres();
    const downAt = Date.now();
    for (const etl of topology.etls) etl.signal('SIGCONT');
    // A commit that PostgreSQL finished before it stopped may still be acked (legitimately)
    // once the frozen ETL reads the answer: measure the backlog after that settled.
    await new Promise((r) => setTimeout(r, 1_000));
    const lengthAtStop = (await topology.queueStats()).length;
    let minLength = lengthAtStop;
    let maxLength = lengthAtStop;
    let maxDead = 0;
    let maxUsedMemory = 0;
    while (Date.now() - downAt < OUTAGE_MS) {
      const s = await topology.queueStats();
      minLength = Math.min(minLength, s.length);
      maxLength = Math.max(maxLength, s.length);
      maxDead = Math.max(maxDead, s.dead);
      const info = await topology.redisClient.info('memory');
      maxUsedMemory = Math.max(maxUsedMemory, Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0));
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const attempts = topology.etls.map((etl) =>
      RETRY_LINES.reduce((n, msg) => n + countLogLines(etl.lines, msg, downAt), 0),
    );
    await topology.startPostgres();
    const upAt = Date.now();
    const stats = await load.done;
    const drainMs = await topology.waitDrained(600_000);
    const catchUpMs = Date.now() - upAt;
    const result = await verdict(topology, oracle);
    const queue = await topology.queueStats();
    const outageS = OUTAGE_MS / 1000;
    const perSecond = attempts.map((a) => Math.round((a / outageS) * 1000) / 1000);
    printSummary('R7', {
      ...result,
      outage_s: outageS,
      status: stats.status,
      backlog_at_stop: lengthAtStop,
      min_length_during_outage: minLength,
      max_length_during_outage: maxLength,
      etl_retry_attempts: attempts,
      attempts_per_s_per_worker: perSecond,
      redis_used_memory_pct: Math.round((maxUsedMemory / MAXMEMORY) * 1000) / 10,
      catch_up_ms: catchUpMs,
      drain_ms: drainMs,
      dlq_max: maxDead,
      dlq: queue.dead,
    });
    expect(lengthAtStop).toBeGreaterThan(0);
    // No XACK while the database is down: the backlog never shrinks.
    expect(minLength).toBeGreaterThanOrEqual(lengthAtStop);
    // Intake goes on: probes' keys were verified before the outage (API key cache), Redis is up.
    expect(maxLength).toBeGreaterThan(lengthAtStop + 100);
    for (const a of attempts) expect(a).toBeGreaterThan(0);
    for (const r of perSecond) expect(r).toBeLessThanOrEqual(1);
    expect(maxDead).toBe(0);
    expect(queue.dead).toBe(0);
    expect(maxUsedMemory / MAXMEMORY).toBeLessThan(0.7);
    expect(catchUpMs).toBeLessThan(600_000);
    expect(stats.given_up).toBe(0);
    expect(result.lost).toBe(0);
    expect(result.dup).toBe(0);
  },
  OUTAGE_MS + 300_000,
);
