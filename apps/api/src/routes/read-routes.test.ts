import { MetricsResponse } from '@fiberstack/contracts';
import type { SampleRow } from '@fiberstack/db';
import { loadSamples, refreshRollups } from '@fiberstack/db';
import { sampleRow } from '@fiberstack/testing';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type Harness, startHarness } from '../test-support/harness.ts';

let h: Harness;
const hourAgo = new Date(Date.now() - 3600_000);

function row(time: Date, latency: number): SampleRow {
  return sampleRow({
    node_id: 'probe-gh-accra-01',
    time,
    region: 'Ghana',
    latency_ms: latency,
    uptime_pct: 99.5,
    packet_loss: 0.1,
  });
}

beforeAll(async () => {
  h = await startHarness({ CORS_ORIGINS: 'https://dash.example' });
  await loadSamples(h.db, [row(hourAgo, 45.2), row(new Date(hourAgo.getTime() + 60_000), 47)]);
});
afterAll(async () => h.close());

describe('GET /api/metrics', () => {
  it("answers the blueprint's shape for the last 24 h by default", async () => {
    const res = await h.app.inject({ url: '/api/metrics?node_id=probe-gh-accra-01' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ node_id: 'probe-gh-accra-01', aggregation: 'raw' });
    expect(Date.parse(body.timeframe.end) - Date.parse(body.timeframe.start)).toBe(24 * 3600_000);
    expect(body.data).toHaveLength(2);
    expect(body.data[0]).toMatchObject({
      time: hourAgo.toISOString(),
      latency_ms: 45.2,
      uptime_pct: 99.5,
      packet_loss: 0.1,
    });
  });

  it('accepts hourly and daily aggregation and an explicit range', async () => {
    const start = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const end = new Date().toISOString();
    for (const aggregation of ['hourly', 'daily']) {
      const res = await h.app.inject({
        url: '/api/metrics',
        query: { node_id: 'probe-gh-accra-01', start, end, aggregation },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ aggregation, timeframe: { start, end } });
    }
  });

  it.each([
    ['a range over 400 days', { start: '2020-01-01T00:00:00Z', end: '2025-01-01T00:00:00Z' }],
    ['start after end', { start: '2025-01-02T00:00:00Z', end: '2025-01-01T00:00:00Z' }],
    ['a bad aggregation', { aggregation: 'weekly' }],
    ['limit=1e9', { limit: '1000000000' }],
    ['a bad date', { start: 'yesterday' }],
    ['an unknown parameter', { owner_id: 'x' }],
  ])('answers %s 400', async (_name, extra) => {
    const res = await h.app.inject({
      url: '/api/metrics',
      query: { node_id: 'probe-gh-accra-01', ...extra },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('buckets a long raw range to max_points, keeping every sample and every spike', async () => {
    const end = new Date(Math.floor(Date.now() / 3600_000) * 3600_000);
    const start = new Date(end.getTime() - 3 * 86_400_000);
    const rows: SampleRow[] = [];
    for (let t = start.getTime(); t < end.getTime(); t += 60_000) {
      rows.push({ ...row(new Date(t), 20 + ((t / 60_000) % 3)), node_id: 'probe-ke-bucket-01' });
    }
    const spikeAt = start.getTime() + 1000 * 60_000;
    rows[1000] = { ...rows[1000]!, latency_ms: 900 };
    await loadSamples(h.db, rows);
    const query = { node_id: 'probe-ke-bucket-01', start: start.toISOString(), end: end.toISOString() };

    const bucketedRes = await h.app.inject({ url: '/api/metrics', query: { ...query, max_points: '1000' } });
    // The database's JSON goes out as it is: it must still be the contract's answer.
    expect(bucketedRes.headers['content-type']).toBe('application/json; charset=utf-8');
    const bucketed = bucketedRes.json();
    expect([...Value.Errors(MetricsResponse, bucketed)]).toEqual([]);
    expect(bucketed.data[0].time).toBe(start.toISOString());
    expect(bucketed.bucket_seconds).toBe(300); // 4320 minutes / 1000 points → 5-minute buckets
    expect(bucketed.data).toHaveLength(864);
    const total = bucketed.data.reduce((n: number, p: { samples: number }) => n + p.samples, 0);
    expect(total).toBe(4320);
    const spike = bucketed.data.find((p: { time: string }) => Date.parse(p.time) === spikeAt);
    expect(spike).toMatchObject({ latency_max_ms: 900, samples: 5 });
    expect(spike.latency_min_ms).toBeLessThan(23);
    expect(spike.latency_ms).toBeCloseTo((900 + 21 + 22 + 20 + 21) / 5, 0);
    // No percentiles per bucket (left out, not null); averages to the probes' 0.001 precision.
    expect(spike).not.toHaveProperty('latency_p50_ms');
    for (const p of bucketed.data as Array<{ latency_ms: number }>)
      expect(Math.round(p.latency_ms * 1000) / 1000).toBe(p.latency_ms);

    // Hourly rollups go out as the database wrote them too: still the contract's points.
    await refreshRollups(h.db, { maxBuckets: 1000 });
    const hourlyRes = await h.app.inject({ url: '/api/metrics', query: { ...query, aggregation: 'hourly' } });
    expect(hourlyRes.headers['content-type']).toBe('application/json; charset=utf-8');
    const hourly = hourlyRes.json();
    expect([...Value.Errors(MetricsResponse, hourly)]).toEqual([]);
    expect(hourly.data).toHaveLength(72);
    expect(hourly.data[0]).toMatchObject({
      time: start.toISOString(),
      check: 'icmp',
      target: '',
      samples: 60,
    });
    const spikeHour = hourly.data.find(
      (p: { time: string }) => Date.parse(p.time) === spikeAt - (spikeAt % 3_600_000),
    );
    expect(spikeHour).toMatchObject({ latency_max_ms: 900, latency_min_ms: 20, samples: 60 });
    expect(spikeHour.latency_p95_ms).toBeGreaterThan(20);
    expect(
      hourly.data.every((p: { time: string }, i: number) => i === 0 || p.time > hourly.data[i - 1].time),
    ).toBe(true);

    const raw = (await h.app.inject({ url: '/api/metrics', query })).json();
    expect(raw.bucket_seconds).toBeUndefined();
    expect(raw.data).toHaveLength(4320);
    const short = (
      await h.app.inject({
        url: '/api/metrics',
        query: { ...query, start: new Date(end.getTime() - 86_400_000).toISOString(), max_points: '2000' },
      })
    ).json();
    expect(short.bucket_seconds).toBeUndefined();
    expect(short.data).toHaveLength(1440);
  });

  it('answers a missing node_id 400', async () => {
    expect((await h.app.inject({ url: '/api/metrics' })).statusCode).toBe(400);
  });
});

describe('GET /api/nodes and /api/status', () => {
  it('lists nodes', async () => {
    const res = await h.app.inject({ url: '/api/nodes' });
    expect(res.statusCode).toBe(200);
    expect(res.json().nodes).toEqual([
      expect.objectContaining({ node_id: 'probe-gh-accra-01', country: 'GH' }),
      expect.objectContaining({ node_id: 'probe-ke-bucket-01' }),
    ]);
  });

  it('reports database and queue health', async () => {
    const res = await h.app.inject({ url: '/api/status' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      mode: 'embedded',
      version: '0.1.0',
      checks: { db: { ok: true }, queue: { ok: true } },
      queue: { kind: 'embedded', depth: 0 },
    });
  });
});

describe('health, metrics and headers', () => {
  it('answers /livez and /readyz, and /readyz 503 after markNotReady', async () => {
    const other = await startHarness();
    try {
      expect((await other.app.inject({ url: '/livez' })).statusCode).toBe(200);
      expect((await other.app.inject({ url: '/readyz' })).statusCode).toBe(200);
      other.app.markNotReady();
      const res = await other.app.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect((await other.app.inject({ url: '/livez' })).statusCode).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('serves Prometheus metrics with request counters and queue depth', async () => {
    await h.app.inject({ url: '/api/nodes' });
    const res = await h.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/http_requests_total\{method="GET",route="\/api\/nodes",status="200"\} \d+/);
    expect(res.body).toContain('http_request_duration_seconds_bucket');
    expect(res.body).toContain('http_requests_inprogress');
    expect(res.body).toMatch(/fiberstack_queue_depth \d+/);
    expect(res.body).toContain('fiberstack_samples_queued_total');
    expect(res.body).toContain('process_cpu_user_seconds_total');
  });

  it('answers unknown routes 404 problem+json with security headers and a request id', async () => {
    const res = await h.app.inject({ url: '/nope', headers: { 'x-request-id': 'abc-123' } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 404, code: 'FS_ERR_NOT_FOUND', request_id: 'abc-123' });
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('replaces a malformed request id', async () => {
    const res = await h.app.inject({ url: '/livez', headers: { 'x-request-id': 'bad id\r\n' } });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('allows configured origins on read routes, never on push, never evil ones', async () => {
    const ok = await h.app.inject({ url: '/api/nodes', headers: { origin: 'https://dash.example' } });
    expect(ok.headers['access-control-allow-origin']).toBe('https://dash.example');
    const evil = await h.app.inject({ url: '/api/nodes', headers: { origin: 'https://evil.example' } });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const push = await h.app.inject({
      method: 'OPTIONS',
      url: '/api/push',
      headers: { origin: 'https://dash.example', 'access-control-request-method': 'POST' },
    });
    expect(push.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('writes one summary line per request', async () => {
    await h.app.inject({ url: '/api/nodes', headers: { 'x-request-id': 'summary-1' } });
    const lines = h
      .logText()
      .split('\n')
      .filter((l) => l.includes('"request_id":"summary-1"'))
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'request',
      method: 'GET',
      route: '/api/nodes',
      status: 200,
      service: 'api',
    });
    expect(typeof lines[0].duration_ms).toBe('number');
  });
});

describe('admin keys', () => {
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

  it('creates (secret shown once), lists without secrets, and revokes keys', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: admin,
      payload: { node_id: 'probe-ke-nairobi-01', label: 'nairobi' },
    });
    expect(created.statusCode).toBe(201);
    const key = created.json();
    expect(key.key).toMatch(/^fsk_[A-Za-z0-9]{8}_[A-Za-z0-9]{32,}$/);
    expect(key.key.slice(4, 12)).toBe(key.prefix);
    expect(key).toMatchObject({ node_id: 'probe-ke-nairobi-01', label: 'nairobi', revoked_at: null });

    const list = await h.app.inject({ url: '/api/keys', headers: admin });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(key.key.slice(13));
    expect(list.body).not.toContain('hash');
    expect(list.json().keys.map((k: { id: string }) => k.id)).toContain(key.id);

    const del = await h.app.inject({ method: 'DELETE', url: `/api/keys/${key.id}`, headers: admin });
    expect(del.statusCode).toBe(204);
    const again = await h.app.inject({ method: 'DELETE', url: `/api/keys/${key.id}`, headers: admin });
    expect(again.statusCode).toBe(404);
  });

  it('rejects extra fields on key creation', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: admin,
      payload: { node_id: 'probe-x', is_admin: true },
    });
    expect(res.statusCode).toBe(400);
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer wrong-token-wrong-token-wrong' }],
    ['a probe key', { authorization: 'Bearer fsk_AAAAAAAA_abcdefghijklmnopqrstuvwxyz0123456789' }],
  ])('answers every admin route 401 with %s', async (_name, headers) => {
    for (const [method, url] of [
      ['GET', '/api/keys'],
      ['POST', '/api/keys'],
      ['DELETE', '/api/keys/some-id'],
    ] as const) {
      const res = await h.app.inject({
        method,
        url,
        headers,
        ...(method === 'POST' ? { payload: { node_id: 'x' } } : {}),
      });
      expect(res.statusCode).toBe(401);
    }
  });
});
