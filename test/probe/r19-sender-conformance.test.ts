import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { PushBatch, Sample } from '@fiberstack/contracts';
import { createLogger } from '@fiberstack/logging';
import { DiskBuffer, PushClient, Pusher } from '@fiberstack/probe';
import { afterAll, describe, expect, it } from 'vitest';

// R19 — probe sender conformance. The probe's real push path (DiskBuffer → Pusher →
// PushClient: gzip, bearer key, keep-alive) against a local HTTP receiver that answers a
// given status 20 times. Checked from what the receiver saw (attempts and their times) and
// from the probe's log. All cases run concurrently; runtime ≈ 25 s.

const dir = mkdtempSync(join(tmpdir(), 'fiberstack-probe-r19-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REPEAT = 20;
const BASE_MS = 50;
const CAP_MS = 1000;
const TIMEOUT_MS = 300;

type Answer = { status: number; headers?: Record<string, string> } | 'reset' | 'hang';

interface Attempt {
  at: number;
  seqs: number[];
}

/** A push receiver on 127.0.0.1 answering attempt n with plan(n). */
async function receiver(plan: (n: number) => Answer) {
  const attempts: Attempt[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const batch = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString()) as PushBatch;
      const answer = plan(attempts.length);
      attempts.push({ at: performance.now(), seqs: batch.samples.map((s) => s.seq!) });
      if (answer === 'hang') return; // never answers: the sender's timeout must fire
      if (answer === 'reset') {
        req.socket.resetAndDestroy();
        return;
      }
      const body =
        answer.status === 202
          ? { status: 'accepted', queued: true, accepted: batch.samples.length, rejected: [] }
          : { type: 'about:blank', title: `status ${answer.status}`, status: answer.status };
      res
        .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
        .end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/api/push`,
    attempts,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function sample(seq: number): Sample {
  return {
    node_id: 'probe-r19-01',
    country: 'GH',
    region: 'Test',
    latency_ms: 12.5,
    uptime_pct: 100,
    packet_loss: 0,
    timestamp: new Date().toISOString(),
    target: 'example.org',
    check: 'icmp',
    seq,
  };
}

/** Runs the probe's sender against `plan` with `count` buffered samples until `done`. */
async function send(name: string, plan: (n: number) => Answer, count: number, batchSize: number) {
  const rx = await receiver(plan);
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger({
    service: 'probe-r19',
    level: 'info',
    destination: { write: (line: string) => void logs.push(JSON.parse(line)) },
  });
  const buffer = await DiskBuffer.open({
    dir: join(dir, name),
    maxBytes: 8 << 20,
    maxAgeMs: 86_400_000,
    segmentBytes: 1 << 20,
  });
  await buffer.append(Array.from({ length: count }, (_, i) => sample(i)));
  const client = new PushClient({ endpoint: rx.url, apiKey: 'fsk_r19', timeoutMs: TIMEOUT_MS });
  const waits: number[] = [];
  const pusher = new Pusher(
    buffer,
    client,
    {
      batchSize,
      maxRatePerS: 1_000_000,
      backoffBaseMs: BASE_MS,
      backoffCapMs: CAP_MS,
      idleMs: 20,
      onRetryWait: (w) => waits.push(w),
    },
    log,
  );
  pusher.start();
  const deadline = Date.now() + 60_000;
  while (buffer.stats().pending_records > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300)); // a wrong extra attempt would show here
  await pusher.stop();
  client.close();
  const stats = buffer.stats();
  await buffer.close();
  await rx.close();
  const gaps = rx.attempts.slice(1).map((a, i) => a.at - rx.attempts[i]!.at);
  return { attempts: rx.attempts, gaps, waits, logs, stats, pusherStats: pusher.stats };
}

const stdev = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
};

describe.concurrent('R19: what the probe does with each answer', () => {
  it('202: each batch sent once, removed from the buffer, nothing logged as an error', async () => {
    const r = await send('202', () => ({ status: 202 }), REPEAT * 5, 5);
    expect(r.attempts).toHaveLength(REPEAT);
    expect(r.attempts.flatMap((a) => a.seqs)).toEqual(Array.from({ length: REPEAT * 5 }, (_, i) => i));
    expect(r.stats).toMatchObject({ pending_records: 0, rejected_total: 0 });
    expect(r.logs.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
  });

  it.each([400, 401, 403, 404, 413, 415, 422])(
    '%i (final): exactly one attempt per batch, the batch is dropped and the reason logged',
    async (status) => {
      const r = await send(`final-${status}`, () => ({ status }), REPEAT * 5, 5);
      // 20 batches → 20 attempts, each a different batch: none was retried.
      expect(r.attempts).toHaveLength(REPEAT);
      const seqs = r.attempts.flatMap((a) => a.seqs);
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(r.waits).toEqual([]);
      expect(r.stats).toMatchObject({ pending_records: 0, rejected_total: REPEAT * 5 });
      const dropped = r.logs.filter((l) =>
        String(l.msg).startsWith('api rejected a batch with a final status'),
      );
      expect(dropped).toHaveLength(REPEAT);
      for (const l of dropped) {
        expect(l).toMatchObject({ level: 'error', status, count: 5 });
        expect(String(l.detail)).toContain(`status ${status}`); // the API's reason, kept in the log
      }
    },
  );

  it.each([
    [429, '1'],
    [503, '1'],
  ])('%i with Retry-After: %s s: each next attempt waits at least that long', async (status, after) => {
    const plan = (n: number): Answer =>
      n < REPEAT ? { status, headers: { 'retry-after': after } } : { status: 202 };
    const r = await send(`after-${status}`, plan, 3, 10);
    expect(r.attempts).toHaveLength(REPEAT + 1);
    for (const a of r.attempts) expect(a.seqs).toEqual([0, 1, 2]); // the same batch, kept
    for (const g of r.gaps) {
      expect(g).toBeGreaterThanOrEqual(Number(after) * 1000);
      expect(g).toBeLessThan(Number(after) * 1000 * 1.1 + 400); // + ≤ 10 % jitter + load
    }
    const warned = r.logs.filter((l) => l.msg === 'push failed, will retry');
    expect(warned).toHaveLength(REPEAT);
    for (const l of warned) expect(l).toMatchObject({ level: 'warn', status });
    expect(r.stats.pending_records).toBe(0);
  });

  it.each([
    ['500', { status: 500 }],
    ['502', { status: 502 }],
    ['504', { status: 504 }],
    ['503 without Retry-After', { status: 503 }],
    ['connection reset', 'reset'],
    ['timeout', 'hang'],
  ] as const)(
    '%s: retried with non-decreasing, capped, jittered intervals, then delivered',
    async (name, answer) => {
      const plan = (n: number): Answer => (n < REPEAT ? answer : { status: 202 });
      const r = await send(`retry-${name.replace(/\W+/g, '-')}`, plan, 3, 10);
      expect(r.attempts).toHaveLength(REPEAT + 1);
      for (const a of r.attempts) expect(a.seqs).toEqual([0, 1, 2]);
      // As the receiver saw them: intervals never shrink by more than 20 %, and stay capped.
      for (let i = 1; i < r.gaps.length; i++) expect(r.gaps[i]! / r.gaps[i - 1]!).toBeGreaterThanOrEqual(0.8);
      const extra = answer === 'hang' ? TIMEOUT_MS : 0; // a timed-out attempt lasts TIMEOUT_MS
      for (const g of r.gaps) expect(g).toBeLessThanOrEqual(CAP_MS + extra + 400);
      // The sender's schedule: exponential from the base up to the cap, jittered at the cap.
      expect(r.waits).toHaveLength(REPEAT);
      expect(r.waits[0]).toBeLessThanOrEqual(BASE_MS);
      expect(Math.max(...r.waits)).toBeLessThanOrEqual(CAP_MS);
      const capped = r.waits.slice(8);
      expect(Math.min(...capped)).toBeGreaterThanOrEqual(CAP_MS * 0.85);
      expect(stdev(capped)).toBeGreaterThan(0);
      expect(new Set(capped).size).toBeGreaterThan(capped.length / 2);
      // Never earlier than scheduled.
      r.gaps.forEach((g, i) => {
        expect(g).toBeGreaterThanOrEqual(r.waits[i]! - 2);
      });
      const warned = r.logs.filter((l) => l.msg === 'push failed, will retry');
      expect(warned).toHaveLength(REPEAT);
      const reason =
        answer === 'hang'
          ? 'timeout'
          : answer === 'reset'
            ? /ECONNRESET|socket hang up/
            : `status ${answer.status}`;
      for (const l of warned) expect(String(l.reason)).toMatch(reason);
      expect(r.stats.pending_records).toBe(0);
      expect(r.pusherStats.retries_total).toBe(REPEAT);
    },
  );
});
