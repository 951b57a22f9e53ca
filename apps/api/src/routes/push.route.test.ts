import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { blueprintSample, type Harness, startHarness } from '../test-support/harness.ts';

let h: Harness;
let key: string;
let otherKey: string;

beforeAll(async () => {
  h = await startHarness();
  key = (await h.createKey('probe-gh-accra-01')).key;
  otherKey = (await h.createKey('probe-ng-lagos-01')).key;
});
afterAll(async () => h.close());

let depthBefore = 0;
beforeEach(async () => {
  await h.drain();
  depthBefore = await h.depth();
});

const push = (payload: unknown, opts: { key?: string; headers?: Record<string, string> } = {}) =>
  h.app.inject({
    method: 'POST',
    url: '/api/push',
    headers: {
      'content-type': 'application/json',
      ...(opts.key === '' ? {} : { authorization: `Bearer ${opts.key ?? key}` }),
      ...opts.headers,
    },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

async function expectNothingQueued() {
  expect(await h.depth()).toBe(depthBefore);
}

describe('POST /api/push', () => {
  it("answers the blueprint body with exactly the blueprint's 202 body, after queueing it", async () => {
    const res = await push(blueprintSample());
    expect(res.statusCode).toBe(202);
    expect(res.body).toMatch(/^\{"status":"accepted","queued":true,"message_id":"[0-9a-f-]{36}"\}$/);
    expect(await h.depth()).toBe(depthBefore + 1);
    const entries = await h.drain();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ v: 1, message_id: res.json().message_id });
    expect(entries[0]?.samples).toHaveLength(1);
  });

  it('accepts ms-epoch timestamps', async () => {
    const res = await push(blueprintSample({ timestamp: Date.now() - 60_000 }));
    expect(res.statusCode).toBe(202);
  });

  it('answers a batch with one bad sample 202 with per-sample results and queues only the good ones', async () => {
    const res = await push({
      samples: [
        blueprintSample({ target: '1.1.1.1', check: 'icmp' }),
        blueprintSample({ latency_ms: -5 }),
        blueprintSample({ target: 'https://example.org', check: 'http', http_status: 200 }),
      ],
      dropped: 2,
    });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ status: 'accepted', queued: true, accepted: 2 });
    expect(body.rejected).toEqual([
      { index: 1, code: 'FS_ERR_PUSH_OUT_OF_RANGE', message: expect.any(String) },
    ]);
    const entries = await h.drain();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ v: 1, dropped: 2, message_id: body.message_id });
    expect(entries[0]?.samples).toHaveLength(2);
  });

  it('answers 422 with every rejection when no sample of a batch is valid', async () => {
    const res = await push({
      samples: [blueprintSample({ uptime_pct: 101 }), blueprintSample({ country: 'gh' })],
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().rejected.map((r: { index: number }) => r.index)).toEqual([0, 1]);
    await expectNothingQueued();
  });

  it.each([
    ['negative latency', { latency_ms: -1 }, 422],
    ['latency above 60 000 ms', { latency_ms: 60_001 }, 422],
    ['loss above 100 %', { packet_loss: 100.5 }, 422],
    ['uptime below 0 %', { uptime_pct: -0.1 }, 422],
    ['a timestamp 10 minutes ahead', { timestamp: new Date(Date.now() + 600_000).toISOString() }, 422],
    ['a timestamp 8 days old', { timestamp: new Date(Date.now() - 8 * 86_400_000).toISOString() }, 422],
    ['timestamp 0', { timestamp: 0 }, 422],
    ['timestamp 1e16', { timestamp: 1e16 }, 400],
    ['a negative timestamp', { timestamp: -1 }, 400],
    ['latency as a string', { latency_ms: '45' }, 400],
    ['latency "NaN"', { latency_ms: 'NaN' }, 400],
    ['a lower-case country', { country: 'gh' }, 400],
    ['an unknown field', { is_admin: true }, 400],
    ['a control character in region', { region: 'Gha\u0000na' }, 400],
    ['an unknown check', { check: 'udp' }, 400],
    ['a missing field', { latency_ms: undefined }, 400],
    ['a non-ISO timestamp', { timestamp: 'yesterday' }, 400],
  ])('rejects a sample with %s (%i) and queues nothing', async (_name, patch, status) => {
    const res = await push(blueprintSample(patch));
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status, code: expect.stringMatching(/^FS_ERR_/) });
    await expectNothingQueued();
  });

  it('rejects Infinity from 1e309', async () => {
    const res = await push(
      '{"node_id":"probe-gh-accra-01","country":"GH","region":"Ghana","latency_ms":1e309,"uptime_pct":99.5,"packet_loss":0.1,"timestamp":"2025-11-24T16:00:00Z"}',
    );
    expect([400, 422]).toContain(res.statusCode);
    await expectNothingQueued();
  });

  it.each([
    ['an empty batch', { samples: [] }],
    ['a batch over 1 000 samples', { samples: Array.from({ length: 1001 }, () => blueprintSample()) }],
    ['an unknown envelope field', { samples: [blueprintSample()], owner_id: 'x' }],
    ['samples that is not an array', { samples: 'x' }],
    ['a JSON array body', [blueprintSample()]],
    ['a JSON null body', null],
  ])('rejects %s with 400', async (_name, payload) => {
    const res = await push(payload);
    expect(res.statusCode).toBe(400);
    await expectNothingQueued();
  });

  it.each([
    ['truncated JSON', '{"node_id": "probe'],
    ['random bytes', '\u0001\u0002garbage'],
    ['an empty body', ''],
  ])('rejects %s with 400 problem+json', async (_name, payload) => {
    const res = await push(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toMatch(/^FS_ERR_REQUEST_/);
    await expectNothingQueued();
  });

  it.each([
    ['__proto__', '{"__proto__":{"polluted":true},"node_id":"probe-gh-accra-01"}'],
    ['constructor.prototype', '{"constructor":{"prototype":{"polluted":true}}}'],
  ])('rejects a %s body with 400', async (_name, payload) => {
    const res = await push(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('FS_ERR_REQUEST_PROTO_POISONING');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await expectNothingQueued();
  });

  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
  ])('rejects content type %s with 415', async (type) => {
    const res = await push(blueprintSample(), { headers: { 'content-type': type } });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('FS_ERR_REQUEST_MEDIA_TYPE');
    await expectNothingQueued();
  });

  it('rejects an unsupported content encoding with 415', async () => {
    const res = await push(blueprintSample(), { headers: { 'content-encoding': 'br' } });
    expect(res.statusCode).toBe(415);
    await expectNothingQueued();
  });

  it('answers a key bound to another node 403 for the single body', async () => {
    const res = await push(blueprintSample(), { key: otherKey });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FS_ERR_AUTH_NODE_MISMATCH');
    await expectNothingQueued();
  });

  it("rejects another node's samples in a batch per sample", async () => {
    const res = await push(
      { samples: [blueprintSample(), blueprintSample({ node_id: 'probe-ng-lagos-01' })] },
      {
        key: otherKey,
      },
    );
    expect(res.statusCode).toBe(202);
    expect(res.json().rejected).toEqual([
      { index: 0, code: 'FS_ERR_AUTH_NODE_MISMATCH', message: expect.any(String) },
    ]);
    const entries = await h.drain();
    expect(entries.flatMap((e) => e.samples.map((s) => s.node_id))).toEqual(['probe-ng-lagos-01']);
  });
});
