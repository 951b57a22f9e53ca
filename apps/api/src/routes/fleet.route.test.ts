import { FleetResponse, RegionsResponse } from '@fiberstack/contracts';
import { insertEvents, loadSamples, refreshRollups, type SampleRow } from '@fiberstack/db';
import { sampleRow } from '@fiberstack/testing';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../test-support/harness.ts';

let h: Harness;
const NOW = Date.now();

function row(node_id: string, minutesAgo: number, fields: Partial<SampleRow> = {}): SampleRow {
  const time = new Date(Math.floor(NOW / 60_000) * 60_000 - minutesAgo * 60_000);
  return sampleRow({ node_id, target: '1.1.1.1', time, ...fields });
}

beforeAll(async () => {
  h = await startHarness();
  const rows: SampleRow[] = [];
  for (let m = 0; m < 30; m++) {
    rows.push(row('probe-gh-up', m, { latency_ms: 20 + (m % 3) }));
    rows.push(row('probe-ng-loss', m, { country: 'NG', region: 'Lagos', packet_loss: 10 }));
    rows.push(row('probe-ke-down', m, { country: 'KE', region: 'Nairobi', uptime_pct: 10, packet_loss: 90 }));
    rows.push(row('probe-gh-silent', m + 60, { region: 'Ashanti' }));
  }
  rows.push(
    row('probe-gh-up', 5, {
      target: 'https://example.gh/',
      check: 'http',
      latency_ms: 140,
      http_status: 200,
      extra: { http: { dns_ms: 3, connect_ms: 20, tls_ms: 40, ttfb_ms: 70, total_ms: 140 } },
    }),
  );
  await h.db.transaction((tx) => loadSamples(tx, rows));
  await refreshRollups(h.db);
  await insertEvents(h.db, [
    {
      time: new Date(NOW - 1000),
      node_id: 'probe-gh-silent',
      kind: 'node_silent',
      message: 'node went silent',
    },
    { time: new Date(NOW), node_id: 'probe-ng-loss', kind: 'loss_burst', message: 'packet loss burst 10 %' },
  ]);
});
afterAll(async () => h.close());

describe('GET /api/fleet', () => {
  it('classifies every node and counts them by status', async () => {
    const res = await h.app.inject({ url: '/api/fleet' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.counts).toEqual({ up: 1, degraded: 1, down: 1, silent: 1 });
    expect(body.demo).toBe(false);
    const byId = Object.fromEntries(body.nodes.map((n: { node_id: string }) => [n.node_id, n]));
    expect(byId['probe-gh-up']).toMatchObject({ status: 'up', country: 'GH', region: 'Greater Accra' });
    expect(byId['probe-ng-loss'].status).toBe('degraded');
    expect(byId['probe-ke-down'].status).toBe('down');
    expect(byId['probe-gh-silent'].status).toBe('silent');
    const up = byId['probe-gh-up'];
    expect(up.current.targets).toBe(2);
    expect(up.current.latency_ms).toBeGreaterThanOrEqual(20);
    expect(up.current.latency_ms).toBeLessThanOrEqual(22);
    expect(up.window.samples).toBe(31);
    expect(up.window.latency_p95_ms).toBeGreaterThanOrEqual(20);
    expect(up.spark).toHaveLength(24);
    expect(up.spark.some((v: number | null) => v !== null)).toBe(true);
    // The answer is written by the database and sent as it is, not by the schema's serializer.
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect([...Value.Errors(FleetResponse, body)]).toEqual([]);
  });

  it("shows a node's new samples on the next request, while the others keep their state", async () => {
    const before = (await h.app.inject({ url: '/api/fleet' })).json();
    const nodeOf = (b: FleetResponse, id: string) => b.nodes.find((n) => n.node_id === id);
    // A new target failing on probe-gh-up: its current state changes (three targets, lower uptime).
    await h.db.transaction((tx) =>
      loadSamples(tx, [row('probe-gh-up', 0, { target: '9.9.9.9', uptime_pct: 0, packet_loss: 100 })]),
    );
    const after = (await h.app.inject({ url: '/api/fleet' })).json();
    expect(nodeOf(after, 'probe-gh-up')?.current.targets).toBe(3);
    expect(nodeOf(after, 'probe-gh-up')?.current.uptime_pct).toBeLessThan(
      nodeOf(before, 'probe-gh-up')?.current.uptime_pct as number,
    );
    for (const id of ['probe-ng-loss', 'probe-ke-down', 'probe-gh-silent'])
      expect(nodeOf(after, id)).toEqual(nodeOf(before, id));
    // The same as computed without any state kept between requests.
    const detail = (await h.app.inject({ url: '/api/fleet/probe-gh-up' })).json();
    expect(detail.node).toEqual(nodeOf(after, 'probe-gh-up'));
  });

  it('answers one node with per-target stats and HTTP phases', async () => {
    const res = await h.app.inject({ url: '/api/fleet/probe-gh-up' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.node.node_id).toBe('probe-gh-up');
    expect(body.targets.map((t: { check: string }) => t.check).sort()).toEqual(['http', 'icmp']);
    expect(body.http).toEqual([
      expect.objectContaining({ dns_ms: 3, connect_ms: 20, tls_ms: 40, ttfb_ms: 70, total_ms: 140 }),
    ]);
  });

  it('answers an unknown node 404 and a malformed id 400', async () => {
    expect((await h.app.inject({ url: '/api/fleet/probe-none' })).statusCode).toBe(404);
    expect((await h.app.inject({ url: '/api/fleet/%3Cscript%3E' })).statusCode).toBe(400);
  });
});

describe('GET /api/regions', () => {
  it('aggregates per country, region and node, with series on request', async () => {
    const res = await h.app.inject({ url: '/api/regions?series=true' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.aggregation).toBe('hourly');
    expect(body.countries.map((c: { key: string }) => c.key)).toEqual(['GH', 'KE', 'NG']);
    const gh = body.countries.find((c: { key: string }) => c.key === 'GH');
    expect(gh).toMatchObject({ group: 'country', nodes: 2 });
    expect(body.regions.map((r: { key: string }) => r.key)).toContain('Ashanti');
    expect(body.nodes).toHaveLength(4);
    expect(
      body.series.some((s: { group: string; key: string }) => s.group === 'country' && s.key === 'KE'),
    ).toBe(true);
    expect([...Value.Errors(RegionsResponse, body)]).toEqual([]);
  });

  it.each([
    ['start after end', 'start=2025-01-02T00:00:00Z&end=2025-01-01T00:00:00Z'],
    ['an unknown parameter', 'owner_id=1'],
    ['a raw aggregation', 'aggregation=raw'],
  ])('answers %s 400', async (_name, query) => {
    expect((await h.app.inject({ url: `/api/regions?${query}` })).statusCode).toBe(400);
  });
});

describe('GET /api/events', () => {
  it('lists events newest first and filters by node, kind and text', async () => {
    const all = (await h.app.inject({ url: '/api/events' })).json().events;
    expect(all[0]).toMatchObject({ kind: 'loss_burst', node_id: 'probe-ng-loss' });
    const byNode = (
      await h.app.inject({ url: '/api/events?node_id=probe-gh-silent&kind=node_silent' })
    ).json();
    expect(byNode.events).toHaveLength(1);
    const text = (await h.app.inject({ url: '/api/events?q=burst' })).json();
    expect(text.events.map((e: { kind: string }) => e.kind)).toEqual(['loss_burst']);
  });

  it('rejects limit=1e9 and unknown parameters', async () => {
    expect((await h.app.inject({ url: '/api/events?limit=1000000000' })).statusCode).toBe(400);
    expect((await h.app.inject({ url: '/api/events?is_admin=1' })).statusCode).toBe(400);
  });
});

// Last: adds a node the counts above do not expect.
describe('GET /api/fleet/:node_id HTTP phases', () => {
  it('returns every HTTP check on a short range and averages per bucket on a long one', async () => {
    const web: SampleRow[] = [];
    // One HTTP check a minute for 30 minutes, DNS time = the minute, a 503 at minute 7.
    for (let m = 0; m < 30; m++) {
      web.push(
        row('probe-gh-web', m, {
          target: 'https://web.example.gh/',
          check: 'http',
          latency_ms: 100 + m,
          http_status: m === 7 ? 503 : 200,
          extra: { http: { dns_ms: m, connect_ms: 10, tls_ms: 20, ttfb_ms: 50, total_ms: 100 + m } },
        }),
      );
    }
    await h.db.transaction((tx) => loadSamples(tx, web));
    const end = new Date(Math.floor(NOW / 60_000) * 60_000 + 60_000);
    const at = (ms: number) => new Date(end.getTime() - ms).toISOString();
    const hour = (
      await h.app.inject({ url: `/api/fleet/probe-gh-web?start=${at(3_600_000)}&end=${end.toISOString()}` })
    ).json();
    expect(hour.http_bucket_seconds).toBeUndefined();
    expect(hour.http).toHaveLength(30);
    expect(hour.http.map((p: { dns_ms: number }) => p.dns_ms)).toEqual([...Array(30).keys()].reverse());

    const week = (
      await h.app.inject({
        url: `/api/fleet/probe-gh-web?start=${at(7 * 86_400_000)}&end=${end.toISOString()}`,
      })
    ).json();
    expect(week.http_bucket_seconds).toBe(840); // 10,080 minutes / 720 points
    const minutes = (p: { time: string }) => Date.parse(p.time) / 60_000;
    expect(week.http.map(minutes)).toEqual([...week.http.map(minutes)].sort((a, b) => a - b));
    // Each point is the mean of the checks in its 14-minute, epoch-aligned bucket; the worst status wins.
    const sampleMinute = (m: number) => Math.floor(NOW / 60_000) - m;
    for (const p of week.http) {
      const first = minutes(p);
      const inBucket = [...Array(30).keys()].filter(
        (m) => sampleMinute(m) >= first && sampleMinute(m) < first + 14,
      );
      expect(first % 14).toBe(0);
      expect(p.dns_ms).toBeCloseTo(inBucket.reduce((a, m) => a + m, 0) / inBucket.length, 3);
      expect(p.http_status).toBe(inBucket.includes(7) ? 503 : 200);
    }
    expect(week.http.length).toBeGreaterThanOrEqual(3);
  });
});
