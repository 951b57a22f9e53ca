import { gzipSync } from 'node:zlib';
import { openPglite } from '@fiberstack/db';
import { createEmbeddedQueue } from '@fiberstack/queue';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { blueprintSample, type Harness, startHarness } from '../test-support/harness.ts';

let h: Harness;
let key: string;
let keyId: string;

beforeAll(async () => {
  h = await startHarness({ RATE_LIMIT_PUSH_PER_MIN: '1000' });
  ({ key, id: keyId } = await h.createKey('probe-gh-accra-01'));
});
afterAll(async () => h.close());
beforeEach(async () => {
  await h.drain();
});

const push = (payload: string | Buffer, headers: Record<string, string | undefined> = {}) =>
  h.app.inject({
    method: 'POST',
    url: '/api/push',
    headers: Object.fromEntries(
      Object.entries({
        'content-type': 'application/json',
        authorization: `Bearer ${key}`,
        ...headers,
      }).filter((e): e is [string, string] => e[1] !== undefined),
    ),
    payload,
  });

describe('POST /api/push authentication', () => {
  it.each([
    ['no key', undefined],
    ['an empty bearer', 'Bearer '],
    ['a malformed key', 'Bearer not-a-key'],
    ['basic auth', 'Basic dXNlcjpwYXNz'],
    ['an unknown prefix', 'Bearer fsk_ZZZZZZZZ_abcdefghijklmnopqrstuvwxyz0123456789'],
  ])('answers %s with 401', async (_name, authorization) => {
    const res = await push(JSON.stringify(blueprintSample()), { authorization });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await h.depth()).toBe(0);
  });

  it('answers a known prefix with a wrong secret 401', async () => {
    const wrong = `${key.slice(0, 13)}${'x'.repeat(40)}`;
    const res = await push(JSON.stringify(blueprintSample()), { authorization: `Bearer ${wrong}` });
    expect(res.statusCode).toBe(401);
    expect(await h.depth()).toBe(0);
  });

  it('ignores a key in the query string', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/push?api_key=${key}`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(blueprintSample()),
    });
    expect(res.statusCode).toBe(401);
  });

  it('answers a revoked key 401 and never logs key secrets', async () => {
    const { key: doomed, id } = await h.createKey('probe-gh-accra-01');
    expect(
      (await push(JSON.stringify(blueprintSample()), { authorization: `Bearer ${doomed}` })).statusCode,
    ).toBe(202);
    await h.drain();
    const del = await h.app.inject({
      method: 'DELETE',
      url: `/api/keys/${id}`,
      headers: { authorization: 'Bearer test-admin-token-0123456789abcdef' },
    });
    expect(del.statusCode).toBe(204);
    const res = await push(JSON.stringify(blueprintSample()), { authorization: `Bearer ${doomed}` });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('FS_ERR_AUTH_REVOKED_KEY');
    expect(await h.depth()).toBe(0);
    const secretPart = doomed.slice(13);
    expect(h.logText()).not.toContain(secretPart);
    expect(h.logText()).not.toContain(key.slice(13));
    expect(keyId).toBeTruthy();
  });
});

describe('POST /api/push body limits', () => {
  it('answers a raw body over 1 MiB 413', async () => {
    const big = JSON.stringify({ samples: [blueprintSample({ region: 'x'.repeat(1024 * 1024) })] });
    const res = await push(big);
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('FS_ERR_REQUEST_TOO_LARGE');
    expect(await h.depth()).toBe(0);
  });

  it('accepts a gzip body', async () => {
    const res = await push(gzipSync(JSON.stringify(blueprintSample())), { 'content-encoding': 'gzip' });
    expect(res.statusCode).toBe(202);
    expect(await h.depth()).toBe(1);
  });

  it('answers a gzip bomb 413 without decompressing past the limit', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const t0 = performance.now();
    const res = await push(bomb, { 'content-encoding': 'gzip' });
    expect(res.statusCode).toBe(413);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(await h.depth()).toBe(0);
  });

  it('answers a corrupt gzip body 400', async () => {
    const res = await push(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' });
    expect(res.statusCode).toBe(400);
    expect(await h.depth()).toBe(0);
  });

  it('keeps log-injection strings on one JSON log line', async () => {
    const res = await push(
      JSON.stringify(blueprintSample({ region: 'Ghana\n{"level":"error","msg":"forged"}' })),
    );
    expect(res.statusCode).toBe(400);
    for (const line of h.logText().split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
    expect(h.logText()).not.toMatch(/^\{"level":"error","msg":"forged"\}$/m);
  });
});

describe('POST /api/push when the queue is down', () => {
  it('answers 503 with Retry-After and never another 5xx', async () => {
    const deadDb = await openPglite();
    const deadQueue = createEmbeddedQueue({ db: deadDb });
    await deadDb.close();
    const broken = await startHarness({}, { queue: deadQueue });
    try {
      const { key: k } = await broken.createKey('probe-gh-accra-01');
      const res = await broken.app.inject({
        method: 'POST',
        url: '/api/push',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${k}` },
        payload: JSON.stringify(blueprintSample()),
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json().code).toBe('FS_ERR_QUEUE_UNAVAILABLE');
      const ready = await broken.app.inject({ url: '/readyz' });
      expect(ready.statusCode).toBe(503);
    } finally {
      await broken.close();
    }
  });
});

describe('POST /api/push rate limit', () => {
  it('answers 429 with Retry-After past the per-key limit', async () => {
    const limited = await startHarness({ RATE_LIMIT_PUSH_PER_MIN: '3' });
    try {
      const { key: k } = await limited.createKey('probe-gh-accra-01');
      const { key: other } = await limited.createKey('probe-gh-accra-01');
      const send = (kk: string) =>
        limited.app.inject({
          method: 'POST',
          url: '/api/push',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${kk}` },
          payload: JSON.stringify(blueprintSample()),
        });
      const codes = [];
      for (let i = 0; i < 5; i++) codes.push((await send(k)).statusCode);
      expect(codes).toEqual([202, 202, 202, 429, 429]);
      const res = await send(k);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((await send(other)).statusCode).toBe(202);
    } finally {
      await limited.close();
    }
  });
});
