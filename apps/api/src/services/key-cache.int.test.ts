import { randomUUID } from 'node:crypto';
import { type Db, insertApiKey, openPostgres, revokeApiKey } from '@fiberstack/db';
import { createTestDatabase, startFaultProxy, type TestDatabase } from '@fiberstack/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from './api-keys.ts';
import { createKeyCache } from './key-cache.ts';

let t: TestDatabase;
let prefix: string;
let keyId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  const key = generateApiKey();
  prefix = key.prefix;
  keyId = randomUUID();
  await insertApiKey(t.db, {
    id: keyId,
    node_id: 'probe-gh-accra-01',
    prefix: key.prefix,
    hash: hashApiKey('k'.repeat(32), key.key),
    label: null,
  });
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
    const cache = createKeyCache(counting, {
      ttlMs: 10_000,
      staleIfErrorMs: 60_000,
      maxEntries: 10,
      now: () => now,
    });
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

  it('keeps a verified key working while PostgreSQL is unreachable, for staleIfErrorMs only', async () => {
    const url = new URL(t.url);
    const proxy = await startFaultProxy({ target: { host: url.hostname, port: Number(url.port) } });
    url.port = String(proxy.port);
    const db = await openPostgres({ connectionString: url.toString(), max: 1 });
    let now = 0;
    const cache = createKeyCache(db, {
      ttlMs: 1_000,
      staleIfErrorMs: 60_000,
      maxEntries: 10,
      now: () => now,
    });
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
