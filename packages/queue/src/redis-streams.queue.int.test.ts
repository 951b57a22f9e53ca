import type { QueueEntry } from '@fiberstack/contracts';
import { type RedisServer, startRedisServer } from '@fiberstack/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from './queue.ts';
import { QueueFullError, QueueUnavailableError } from './redis-errors.ts';
import { redisStreamKeys } from './redis-keys.ts';
import {
  createRedisStreamsQueue,
  type RedisStreamsQueue,
  type RedisStreamsQueueOptions,
} from './redis-streams.queue.ts';

function entry(message_id: string): QueueEntry {
  return {
    v: 1,
    message_id,
    received_at: Date.now(),
    samples: [
      {
        node_id: 'probe-gh-accra-01',
        country: 'GH',
        region: 'Greater Accra',
        latency_ms: 42.5,
        uptime_pct: 100,
        packet_loss: 0,
        timestamp: new Date().toISOString(),
        seq: 1,
      },
    ],
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ids = (ds: Delivery[]) => ds.map((d) => d.id);

let server: RedisServer;
let admin: Redis;
let open: RedisStreamsQueue[] = [];
let prefixCounter = 0;

function queue(opts: Partial<RedisStreamsQueueOptions> = {}, prefix?: string): RedisStreamsQueue {
  const q = createRedisStreamsQueue({
    url: server.url,
    keyPrefix: prefix ?? `t${prefixCounter++}:`,
    ...opts,
  });
  open.push(q);
  return q;
}

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url);
});
afterEach(async () => {
  await Promise.all(open.map((q) => q.close()));
  open = [];
});
afterAll(async () => {
  await admin?.quit();
  await server?.stop();
});

describe('redis streams queue', () => {
  it('appends, reads and acks; acked entries leave the stream', async () => {
    const q = queue();
    const id = await q.append(entry('m1'));
    expect(await q.stats()).toMatchObject({ kind: 'redis', depth: 1, pending: 0, dead_letter: 0 });
    const got = await q.read({ consumer: 'c1', max: 10, blockMs: 100 });
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ id, deliveries: 1, entry: { message_id: 'm1' } });
    const pending = await q.stats();
    expect(pending.pending).toBe(1);
    expect(pending.oldest_pending_age_s).toBeGreaterThanOrEqual(0);
    await q.ack([id]);
    expect(await q.stats()).toMatchObject({ depth: 0, pending: 0, oldest_pending_age_s: null });
    expect(await q.read({ consumer: 'c1', max: 10, blockMs: 50 })).toEqual([]);
  });

  it('reads entries appended before the group existed', async () => {
    const q = queue();
    await q.append(entry('early'));
    const got = await q.read({ consumer: 'c1', max: 10, blockMs: 50 });
    expect(got.map((d) => d.entry?.message_id)).toEqual(['early']);
  });

  it('does not hold appends behind a blocked read', async () => {
    const q = queue();
    await q.read({ consumer: 'c1', max: 1, blockMs: 0 }); // creates the group
    const reading = q.read({ consumer: 'c1', max: 10, blockMs: 3_000 });
    await sleep(50);
    const t0 = performance.now();
    await q.append(entry('during-block'));
    expect(performance.now() - t0).toBeLessThan(100);
    const got = await reading;
    expect(got.map((d) => d.entry?.message_id)).toEqual(['during-block']);
  });

  it('reclaims an unacked entry of a crashed consumer after claimIdleMs with its delivery count', async () => {
    const opts = { claimIdleMs: 300, claimIntervalMs: 0 };
    const crashed = queue(opts, 'crash:');
    const id = await crashed.append(entry('m1'));
    expect(ids(await crashed.read({ consumer: 'a', max: 10, blockMs: 50 }))).toEqual([id]);
    await crashed.close(); // never acks

    const other = queue(opts, 'crash:');
    expect(await other.read({ consumer: 'b', max: 10, blockMs: 50 })).toEqual([]); // not idle yet
    await sleep(350);
    const got = await other.read({ consumer: 'b', max: 10, blockMs: 50 });
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ id, deliveries: 2, entry: { message_id: 'm1' } });
    await other.ack([id]);
    expect((await other.stats()).pending).toBe(0);
  });

  it('hold keeps a live consumer’s entries from being reclaimed, without counting deliveries', async () => {
    const opts = { claimIdleMs: 300, claimIntervalMs: 0 };
    const owner = queue(opts, 'hold:');
    const id = await owner.append(entry('m1'));
    expect(ids(await owner.read({ consumer: 'a', max: 10, blockMs: 50 }))).toEqual([id]);
    const release = owner.hold('a', [id]);
    const other = queue(opts, 'hold:');
    await sleep(900); // three times claimIdleMs
    expect(await other.read({ consumer: 'b', max: 10, blockMs: 50 })).toEqual([]);
    release();
    await sleep(400);
    const got = await other.read({ consumer: 'b', max: 10, blockMs: 50 });
    // Reclaimed once the hold ended: its second delivery, the held time not counted.
    expect(got).toMatchObject([{ id, deliveries: 2 }]);
  });

  it('gives a restarted consumer its own pending entries first', async () => {
    const before = queue({}, 'restart:');
    const first = await before.append(entry('m1'));
    const second = await before.append(entry('m2'));
    expect(ids(await before.read({ consumer: 'etl-1', max: 10, blockMs: 50 }))).toEqual([first, second]);
    await before.close();

    const after = queue({}, 'restart:');
    const third = await after.append(entry('m3'));
    const own = await after.read({ consumer: 'etl-1', max: 10, blockMs: 50 });
    expect(ids(own)).toEqual([first, second]);
    expect(own.map((d) => d.deliveries)).toEqual([2, 2]);
    const next = await after.read({ consumer: 'etl-1', max: 10, blockMs: 50 });
    expect(next).toMatchObject([{ id: third, deliveries: 1 }]);
  });

  it('returns a poison entry as null with rising delivery counts until it is dead-lettered', async () => {
    const q = queue({ claimIdleMs: 30, claimIntervalMs: 0 }, 'poison:');
    const keys = redisStreamKeys(undefined, 'poison:');
    const good = await q.append(entry('good'));
    const bad = await admin.xadd(keys.stream, '*', 'entry', '{not json');
    const foreign = await admin.xadd(keys.stream, '*', 'x', '1');
    const seen: number[] = [];
    let dead = 0;
    for (let round = 0; round < 40 && dead < 2; round++) {
      for (const d of await q.read({ consumer: 'c', max: 10, blockMs: 20 })) {
        if (d.entry) {
          await q.ack([d.id]);
          continue;
        }
        if (d.id === bad) seen.push(d.deliveries);
        if (d.deliveries >= q.deadLetterAfter) {
          await q.deadLetter(d, 'invalid entry');
          dead += 1;
        }
      }
      await sleep(40);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(await q.stats()).toMatchObject({ depth: 0, pending: 0, dead_letter: 2 });
    const [record] = await admin.xrange(keys.dead, '-', '+', 'COUNT', 1);
    expect(record?.[1]).toEqual([
      ...['payload', '{not json', 'reason', 'invalid entry'],
      ...['deliveries', '5', 'original_id', bad],
    ]);
    expect(await admin.xrange(keys.dead, '-', '+')).toHaveLength(2);
    expect((await admin.xrange(keys.dead, '-', '+'))[1]?.[1]).toContain(foreign);
    expect(good).not.toBe(bad);
  });

  it('records rejected samples in the capped error stream', async () => {
    const q = queue();
    await q.reject([
      { message_id: 'm1', index: 0, reason: 'bad latency', sample: { latency_ms: -1 } },
      { message_id: 'm1', index: 3, reason: 'bad node', sample: null },
    ]);
    expect((await q.stats()).errors).toBe(2);
  });

  it('refuses appends with QueueFullError at the high-water mark and recovers below it', async () => {
    const q = queue({ highWaterMark: 3 });
    for (const m of ['a', 'b', 'c']) await q.append(entry(m));
    await expect(q.append(entry('d'))).rejects.toBeInstanceOf(QueueFullError);
    expect(await q.highWater()).toBe(true);
    const got = await q.read({ consumer: 'c', max: 10, blockMs: 50 });
    await q.ack(ids(got));
    expect(await q.highWater()).toBe(false);
    await sleep(260); // the cached length refreshes at most every 250 ms
    await expect(q.append(entry('d'))).resolves.toMatch(/^\d+-\d+$/);
  });
});

describe('redis streams queue while Redis is down', () => {
  let own: RedisServer;
  beforeAll(async () => {
    own = await startRedisServer({ appendonly: true, appendfsync: 'always' });
  });
  afterAll(async () => {
    await own?.stop();
  });

  it('fails fast with QueueUnavailableError and works again after a restart', async () => {
    const q = createRedisStreamsQueue({ url: own.url, keyPrefix: 'down:' });
    open.push(q);
    const kept = await q.append(entry('before-crash'));
    await own.kill('SIGKILL');
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const error = await q.append(entry(`during-${i}`)).catch((e: unknown) => e);
      const elapsed = performance.now() - t0;
      expect(error).toBeInstanceOf(QueueUnavailableError);
      expect(elapsed).toBeLessThan(200);
      await sleep(100);
    }
    const t0 = performance.now();
    await expect(q.ping()).rejects.toBeInstanceOf(QueueUnavailableError);
    await expect(q.read({ consumer: 'c', max: 10, blockMs: 1_000 })).rejects.toBeInstanceOf(
      QueueUnavailableError,
    );
    expect(performance.now() - t0).toBeLessThan(400);

    await own.restart();
    const deadline = Date.now() + 5_000;
    while (
      !(await q.ping().then(
        () => true,
        () => false,
      ))
    ) {
      if (Date.now() > deadline) throw new Error('queue did not reconnect');
      await sleep(50);
    }
    const after = await q.append(entry('after-restart'));
    const got = await q.read({ consumer: 'c', max: 10, blockMs: 200 });
    expect(ids(got)).toEqual([kept, after]); // appendfsync always: the accepted entry survived
  });

  it('recreates a vanished consumer group', async () => {
    const q = createRedisStreamsQueue({ url: own.url, keyPrefix: 'nogroup:' });
    open.push(q);
    await q.read({ consumer: 'c', max: 1, blockMs: 0 });
    await q.append(entry('m1'));
    const direct = new Redis(own.url);
    await direct.flushall();
    await direct.quit();
    const id = await q.append(entry('m2'));
    expect(ids(await q.read({ consumer: 'c', max: 10, blockMs: 100 }))).toEqual([id]);
  });
});
