import { randomUUID } from 'node:crypto';
import { type Db, insertApiKey, openPostgres, revokeApiKey } from '@fiberstack/db';
import { createTestDatabase, startFaultProxy, type TestDatabase } from '@fiberstack/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from './api-keys.ts';
import { createKeyCache } from './key-cache.ts';

let t: TestDatabase;
let prefix: string;
let keyId: string;

/** A key of `node_id` stored as the admin route stores it; its prefix and id. */
async function newKey(node_id: string): Promise<{ prefix: string; id: string }> {
  const key = generateApiKey();
  const id = randomUUID();
  await insertApiKey(t.db, {
    id,
    node_id,
    prefix: key.prefix,
    hash: hashApiKey('k'.repeat(32), key.key),
    label: null,
  });
  return { prefix: key.prefix, id };
}

/** A cache over `db` with a 10 s TTL (unless given) and the test's clock. */
const cacheOver = (db: Db, now: () => number, ttlMs = 10_000) =>
  createKeyCache(db, { ttlMs, staleIfErrorMs: 60_000, maxEntries: 10, now });

beforeAll(async () => {
  t = await createTestDatabase();
  ({ prefix, id: keyId } = await newKey('probe-gh-accra-01'));
});
afterAll(async () => t?.drop());

describe('API key cache', () => {
  it('asks the database once per TTL, sees a revocation after it, never caches unknown keys', async () => {
    let now = 1_000_000;
    const queries: string[] = [];
    const counting: Db = {
      ...t.db,
      query: (text, params) => {
        queries.push(text);
        return t.db.query(text, params);
      },
    };
    const cache = cacheOver(counting, () => now);
    for (let i = 0; i < 50; i++) expect((await cache.lookup(prefix)).row?.node_id).toBe('probe-gh-accra-01');
    expect(queries).toHaveLength(1);
    expect((await cache.lookup('nosuchkey')).row).toBeNull();
    expect((await cache.lookup('nosuchkey')).row).toBeNull();
    expect(queries).toHaveLength(3);

    await revokeApiKey(t.db, keyId); // as another replica would
    now += 9_000;
    expect((await cache.lookup(prefix)).row?.revoked_at).toBeNull(); // still within the TTL
    now += 1_001;
    expect((await cache.lookup(prefix)).row?.revoked_at).not.toBeNull();
  });

  it('re-reads a key in use before its TTL ends, so no lookup of it waits for the database', async () => {
    const own = await newKey('probe-gh-accra-02');
    let now = 2_000_000;
    let reads = 0;
    let release: () => void = () => undefined;
    let gate: Promise<void> = Promise.resolve();
    const counting: Db = {
      ...t.db,
      query: async (text, params) => {
        reads += 1;
        await gate;
        return t.db.query(text, params);
      },
    };
    const cache = cacheOver(counting, () => now);
    expect((await cache.lookup(own.prefix)).row?.revoked_at).toBeNull();
    expect(reads).toBe(1);
    // Past 80 % of the TTL: answered from the cache while one re-read runs (held open here).
    gate = new Promise((r) => {
      release = r;
    });
    now += 8_500;
    for (let i = 0; i < 20; i++)
      expect((await cache.lookup(own.prefix)).row?.node_id).toBe('probe-gh-accra-02');
    expect(reads).toBe(2);
    release();
    await new Promise((r) => setTimeout(r, 50));
    // The re-read renewed the entry: past the original TTL, still no read.
    now += 5_000;
    await cache.lookup(own.prefix);
    expect(reads).toBe(2);
    // A revocation elsewhere reaches the cache through the next re-read.
    await revokeApiKey(t.db, own.id);
    now += 4_000; // 9 s after the renewal
    await cache.lookup(own.prefix);
    await new Promise((r) => setTimeout(r, 50));
    expect(reads).toBe(3);
    expect((await cache.lookup(own.prefix)).row?.revoked_at).not.toBeNull();
  });

  it('keeps a verified key working while PostgreSQL is unreachable, for staleIfErrorMs only', async () => {
    const url = new URL(t.url);
    const proxy = await startFaultProxy({ target: { host: url.hostname, port: Number(url.port) } });
    url.port = String(proxy.port);
    const db = await openPostgres({ connectionString: url.toString(), max: 1 });
    let now = 0;
    const cache = cacheOver(db, () => now, 1_000);
    try {
      expect((await cache.lookup(prefix)).stale).toBe(false);
      proxy.resetPeer(true); // every connection to PostgreSQL is reset, as when the server stops
      now = 30_000;
      expect(await cache.lookup(prefix)).toMatchObject({
        stale: true,
        row: { node_id: 'probe-gh-accra-01' },
      });
      await expect(cache.lookup('otherprefix')).rejects.toThrow();
      now = 61_000;
      await expect(cache.lookup(prefix)).rejects.toThrow();
      proxy.resetPeer(false);
      expect(await cache.lookup(prefix)).toMatchObject({ stale: false });
    } finally {
      await db.close();
      await proxy.close();
    }
  });
});
