import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PushBatch } from '@fiberstack/contracts';
import { createLogger } from '@fiberstack/logging';
import { Value } from '@sinclair/typebox/value';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskBuffer } from '../buffer/disk-buffer.ts';
import { testSample } from '../buffer/test-sample.ts';
import { type Reply, startReceiver } from './mock-receiver.ts';
import { PushClient } from './push-client.ts';
import { Pusher, type PusherOptions } from './pusher.ts';

const log = createLogger({ service: 'probe-test', level: 'silent' });
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'probe-push-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

async function harness(
  reply: (n: number) => Reply,
  samples: number,
  o: Partial<PusherOptions> = {},
  sub = 'b',
) {
  const receiver = await startReceiver(reply);
  const buffer = await DiskBuffer.open({
    dir: join(dir, sub),
    maxBytes: 1 << 20,
    maxAgeMs: 86_400_000,
    segmentBytes: 64 << 10,
  });
  await buffer.append(Array.from({ length: samples }, (_, i) => testSample(i)));
  const client = new PushClient({ endpoint: receiver.url, apiKey: 'fsk_test_secret', timeoutMs: 2000 });
  const opts = {
    batchSize: 100,
    maxRatePerS: 100_000,
    backoffBaseMs: 50,
    backoffCapMs: 200,
    idleMs: 20,
    ...o,
  };
  const pusher = new Pusher(buffer, client, opts, log);
  pusher.start();
  return {
    receiver,
    buffer,
    pusher,
    async stop() {
      await pusher.stop();
      client.close();
      await buffer.close();
      await receiver.close();
    },
  };
}

describe('pusher against a mock receiver', () => {
  it('sends gzip JSON batches that decode to the push contract, with the bearer key', async () => {
    const h = await harness(() => ({ status: 202 }), 250);
    await until(() => h.buffer.stats().pending_records === 0);
    await h.stop();
    expect(h.receiver.received).toHaveLength(3);
    const seqs: number[] = [];
    for (const r of h.receiver.received) {
      expect(r.headers['content-encoding']).toBe('gzip');
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers.authorization).toBe('Bearer fsk_test_secret');
      expect(Value.Check(PushBatch, r.body)).toBe(true);
      seqs.push(...(r.body as PushBatch).samples.map((s) => s.seq!));
    }
    expect(seqs).toEqual(Array.from({ length: 250 }, (_, i) => i)); // order preserved
  });

  it.each([400, 401, 403, 404, 413, 415, 422])(
    'makes exactly one attempt on a final %i and drops the batch',
    async (status) => {
      const h = await harness(() => ({ status }), 5, {}, `s${status}`);
      await until(() => h.buffer.stats().pending_records === 0);
      await new Promise((r) => setTimeout(r, 300));
      await h.stop();
      expect(h.receiver.received).toHaveLength(1);
      expect(h.buffer.stats().rejected_total).toBe(5);
    },
  );

  it('waits at least Retry-After after a 429', async () => {
    const h = await harness(
      (n) => (n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 202 }),
      3,
    );
    await until(() => h.receiver.received.length === 2, 5000);
    await h.stop();
    const [a, b] = h.receiver.received;
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(1000);
    expect(b!.at - a!.at).toBeLessThan(3000);
  });

  it.each([500, 502, 503, 504, 'reset'] as const)(
    'retries %s with non-decreasing, capped, jittered intervals, then delivers',
    async (fault) => {
      const fails = 6;
      const waits: number[] = [];
      const reply = (n: number): Reply =>
        n < fails ? (fault === 'reset' ? 'reset' : { status: fault }) : { status: 202 };
      const opts = { backoffBaseMs: 80, backoffCapMs: 320, onRetryWait: (w: number) => waits.push(w) };
      const h = await harness(reply, 4, opts, `f${fault}`);
      await until(() => h.buffer.stats().pending_records === 0, 8000);
      await h.stop();
      const times = h.receiver.received.map((r) => r.at);
      expect(times).toHaveLength(fails + 1);
      // The sender's schedule: non-decreasing (ratio ≥ 0.8), capped, jittered.
      expect(waits).toHaveLength(fails);
      for (let i = 1; i < waits.length; i++) expect(waits[i]! / waits[i - 1]!).toBeGreaterThanOrEqual(0.85);
      expect(Math.max(...waits)).toBeLessThanOrEqual(320);
      expect(new Set(waits.slice(2)).size).toBeGreaterThan(1);
      // What the receiver saw: never earlier than scheduled (machine load can only add delay).
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      gaps.forEach((g, i) => {
        expect(g).toBeGreaterThanOrEqual(waits[i]! - 2);
      });
    },
  );

  it('reports dropped samples once and clears the counter after a 2xx', async () => {
    const sub = join(dir, 'd');
    const pre = await DiskBuffer.open({
      dir: sub,
      maxBytes: 64 << 10,
      maxAgeMs: 86_400_000,
      segmentBytes: 8 << 10,
    });
    for (let i = 0; i < 1000; i += 50)
      await pre.append(Array.from({ length: 50 }, (_, k) => testSample(i + k)));
    const dropped = pre.stats().dropped_total;
    expect(dropped).toBeGreaterThan(0);
    await pre.close();
    const h = await harness(() => ({ status: 202 }), 0, {}, 'd');
    await until(() => h.buffer.stats().pending_records === 0);
    await h.stop();
    const bodies = h.receiver.received.map((r) => r.body as PushBatch);
    expect(bodies[0]!.dropped).toBe(dropped);
    expect(bodies.slice(1).every((b) => b.dropped === undefined)).toBe(true);
    expect(h.buffer.stats()).toMatchObject({ dropped_total: dropped, dropped_unreported: 0 });
  });

  it('with linger, rounds appended one by one go out together once the oldest is linger old', async () => {
    const h = await harness(() => ({ status: 202 }), 0, { lingerMs: 400, batchSize: 100 }, 'linger');
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) {
      await h.buffer.append([testSample(i, new Date().toISOString())]);
      h.pusher.notify();
      await new Promise((r) => setTimeout(r, 50));
    }
    await until(() => h.buffer.stats().pending_records === 0);
    const waited = Date.now() - t0;
    await h.stop();
    expect(h.receiver.received).toHaveLength(1);
    expect((h.receiver.received[0]!.body as PushBatch).samples.map((s) => s.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(waited).toBeGreaterThanOrEqual(400);
  });

  it('with linger, a full batch and an old backlog go at once', async () => {
    const old = new Date(Date.now() - 60_000).toISOString();
    const h = await harness(() => ({ status: 202 }), 0, { lingerMs: 60_000, batchSize: 10 }, 'linger-full');
    await h.buffer.append(Array.from({ length: 10 }, (_, i) => testSample(i)));
    h.pusher.notify();
    await until(() => h.buffer.stats().pending_records === 0, 2000);
    await h.buffer.append([testSample(10, old)]);
    h.pusher.notify();
    await until(() => h.buffer.stats().pending_records === 0, 2000);
    await h.stop();
    expect(h.receiver.received).toHaveLength(2);
  });

  it('drains a backlog no faster than max_rate_per_s', async () => {
    const t0 = performance.now();
    const h = await harness(() => ({ status: 202 }), 100, { batchSize: 20, maxRatePerS: 200 });
    await until(() => h.buffer.stats().pending_records === 0);
    const elapsed = h.receiver.received.at(-1)!.at - t0;
    await h.stop();
    expect(h.receiver.received).toHaveLength(5);
    expect(elapsed).toBeGreaterThanOrEqual(((100 - 20) / 200) * 1000 * 0.95);
  });
});
