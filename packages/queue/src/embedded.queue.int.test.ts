import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueueEntry } from '@fiberstack/contracts';
import { type Db, migrate, openPglite } from '@fiberstack/db';
import { createTestDatabase, type TestDatabase } from '@fiberstack/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEAD_LETTER_AFTER } from './constants.ts';
import { createEmbeddedQueue } from './embedded.queue.ts';

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
      },
    ],
  };
}

type Engine = 'pglite' | 'postgres';

describe.each<Engine>(['pglite', 'postgres'])('embedded queue on %s', (engine) => {
  let db: Db;
  let testDb: TestDatabase | undefined;

  beforeAll(async () => {
    if (engine === 'postgres') {
      testDb = await createTestDatabase();
      db = testDb.db;
    } else {
      db = await openPglite();
      await migrate(db);
    }
  });
  afterAll(async () => {
    if (testDb) await testDb.drop();
    else await db.close();
  });
  beforeEach(async () => {
    await db.query('DELETE FROM queue_inbox');
    await db.query('DELETE FROM queue_dead_letter');
    await db.query('DELETE FROM sample_errors');
  });

  it('append then read then ack removes the entry', async () => {
    const queue = createEmbeddedQueue({ db });
    const id = await queue.append(entry('m-1'));
    const got = await queue.read({ consumer: 'c1', max: 10, blockMs: 0 });
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ id, deliveries: 1, entry: { message_id: 'm-1' } });
    expect(JSON.parse(got[0]!.raw)).toEqual(got[0]!.entry);
    await db.transaction((tx) => queue.ack([id], tx));
    expect((await queue.stats()).depth).toBe(0);
    expect(await queue.read({ consumer: 'c1', max: 10, blockMs: 0 })).toEqual([]);
  });

  it('a rolled-back ack leaves the entry in place', async () => {
    const queue = createEmbeddedQueue({ db });
    const id = await queue.append(entry('m-rb'));
    await queue.read({ consumer: 'c1', max: 10, blockMs: 0 });
    await expect(
      db.transaction(async (tx) => {
        await queue.ack([id], tx);
        throw new Error('load failed');
      }),
    ).rejects.toThrow('load failed');
    expect((await queue.stats()).depth).toBe(1);
  });

  it('redelivers an unacked entry after its lease expires, deliveries incremented', async () => {
    const queue = createEmbeddedQueue({ db, leaseMs: 150 });
    await queue.append(entry('m-2'));
    const first = await queue.read({ consumer: 'c1', max: 10, blockMs: 0 });
    expect(first[0]?.deliveries).toBe(1);
    // Another consumer cannot take it while leased.
    expect(await queue.read({ consumer: 'c2', max: 10, blockMs: 0 })).toEqual([]);
    await new Promise((r) => setTimeout(r, 250));
    const again = await queue.read({ consumer: 'c2', max: 10, blockMs: 0 });
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ id: first[0]!.id, deliveries: 2 });
  });

  it('gives a restarted consumer its own leased entries first', async () => {
    const before = createEmbeddedQueue({ db, leaseMs: 60_000 });
    await before.append(entry('m-a'));
    await before.append(entry('m-b'));
    const own = await before.read({ consumer: 'c1', max: 1, blockMs: 0 });
    expect(own[0]?.entry?.message_id).toBe('m-a');
    await before.append(entry('m-c'));
    await before.close();
    const after = createEmbeddedQueue({ db, leaseMs: 60_000 });
    const got = await after.read({ consumer: 'c1', max: 1, blockMs: 0 });
    expect(got[0]).toMatchObject({ id: own[0]!.id, deliveries: 2 });
    const rest = await after.read({ consumer: 'c1', max: 10, blockMs: 0 });
    expect(rest.map((d) => d.entry?.message_id)).toEqual(['m-a', 'm-b', 'm-c']);
  });

  it('returns an unparseable payload as entry null', async () => {
    const queue = createEmbeddedQueue({ db });
    await db.query('INSERT INTO queue_inbox (message_id, payload) VALUES ($1, $2), ($3, $4)', [
      'bad-json',
      '{"v":1,',
      'bad-shape',
      '{"v":1,"message_id":"x"}',
    ]);
    const got = await queue.read({ consumer: 'c1', max: 10, blockMs: 0 });
    expect(got.map((d) => d.entry)).toEqual([null, null]);
    expect(got[0]!.raw).toBe('{"v":1,');
  });

  it('dead-letters and rejects inside a transaction; stats count them', async () => {
    const queue = createEmbeddedQueue({ db });
    await queue.append(entry('m-d'));
    await queue.append(entry('m-e'));
    const [d] = await queue.read({ consumer: 'c1', max: 1, blockMs: 0 });
    let stats = await queue.stats();
    expect(stats).toMatchObject({ kind: 'embedded', depth: 2, pending: 1, dead_letter: 0, errors: 0 });
    expect(stats.oldest_pending_age_s).toBeGreaterThanOrEqual(0);
    await db.transaction(async (tx) => {
      await queue.deadLetter(d!, 'test reason', tx);
      await queue.reject(
        [
          { message_id: 'm-d', index: 0, reason: 'latency_out_of_range', sample: { latency_ms: 99_999 } },
          { message_id: 'm-d', index: 1, reason: 'weird', sample: 10n },
        ],
        tx,
      );
    });
    stats = await queue.stats();
    expect(stats).toMatchObject({ depth: 1, pending: 0, dead_letter: 1, errors: 2 });
    const dl = await db.query<{ message_id: string; reason: string; deliveries: number; payload: string }>(
      'SELECT message_id, reason, deliveries, payload FROM queue_dead_letter',
    );
    expect(dl.rows[0]).toMatchObject({ message_id: 'm-d', reason: 'test reason', deliveries: 1 });
    expect(JSON.parse(dl.rows[0]!.payload).message_id).toBe('m-d');
    const errs = await db.query<{ sample: unknown }>(
      'SELECT sample FROM sample_errors ORDER BY sample_index',
    );
    expect(errs.rows.map((r) => r.sample)).toEqual([{ latency_ms: 99_999 }, '10']);
    const empty = await queue.stats();
    expect(empty.kind).toBe('embedded');
    expect(DEAD_LETTER_AFTER).toBe(5);
  });

  it('a blocked read wakes on an append in the same process', async () => {
    const reader = createEmbeddedQueue({ db, pollMs: 10_000 });
    const writer = createEmbeddedQueue({ db });
    const started = Date.now();
    const pending = reader.read({ consumer: 'c1', max: 10, blockMs: 5_000 });
    await new Promise((r) => setTimeout(r, 50));
    await writer.append(entry('m-wake'));
    const got = await pending;
    expect(got).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a blocked read returns empty after blockMs, and at once after close', async () => {
    const queue = createEmbeddedQueue({ db, pollMs: 20 });
    const started = Date.now();
    expect(await queue.read({ consumer: 'c1', max: 10, blockMs: 150 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const pending = queue.read({ consumer: 'c1', max: 10, blockMs: 10_000 });
    await new Promise((r) => setTimeout(r, 30));
    await queue.close();
    expect(await pending).toEqual([]);
  });

  it('ping succeeds', async () => {
    await expect(createEmbeddedQueue({ db }).ping()).resolves.toBeUndefined();
  });
});

describe('embedded queue durability on a PGlite data directory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fs-queue-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps an appended entry across close and reopen', async () => {
    const first = await openPglite({ dataDir: dir });
    await migrate(first);
    const id = await createEmbeddedQueue({ db: first }).append(entry('m-durable'));
    await first.close();

    const second = await openPglite({ dataDir: dir });
    try {
      const got = await createEmbeddedQueue({ db: second }).read({ consumer: 'c1', max: 10, blockMs: 0 });
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ id, entry: { message_id: 'm-durable' } });
    } finally {
      await second.close();
    }
  });
});
