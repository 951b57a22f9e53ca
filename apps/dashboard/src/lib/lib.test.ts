import type { FleetNode } from '@fiberstack/contracts';
import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.ts';
import { autoAggregation, parseList, parseRange, rangeBounds, withParams } from './filters.ts';
import { filterFleet, tiles, worstFirst, worstStatus } from './fleet.ts';
import { fmtAgo, fmtMs, fmtPct } from './format.ts';
import { COUNTRY_BY_NUMERIC, nodePosition } from './geo.ts';
import { align, breakGaps, byTarget, type Columns } from './series.ts';

const node = (node_id: string, status: FleetNode['status'], extra: Partial<FleetNode> = {}): FleetNode => ({
  node_id,
  country: 'GH',
  region: 'Ashanti',
  status,
  first_seen_at: '2025-01-01T00:00:00.000Z',
  last_seen_at: '2025-01-02T00:00:00.000Z',
  current: { latency_ms: 10, uptime_pct: 100, packet_loss: 0, targets: 1 },
  window: { samples: 10, latency_avg_ms: 10, latency_p95_ms: 12, uptime_pct: 100, packet_loss: 0 },
  spark: [],
  ...extra,
});

describe('filters', () => {
  it('parses ranges and lists defensively', () => {
    expect(parseRange('7d')).toBe('7d');
    expect(parseRange('constructor')).toBe('24h');
    expect(parseList(' GH,KE,,GH ')).toEqual(['GH', 'KE']);
    expect(autoAggregation('1h')).toBe('raw');
    expect(autoAggregation('7d')).toBe('hourly');
  });

  it('rounds the range end to the minute and drops empty params', () => {
    const b = rangeBounds('1h', Date.parse('2025-01-01T00:00:30Z'));
    expect(b).toEqual({ start: '2024-12-31T23:01:00.000Z', end: '2025-01-01T00:01:00.000Z' });
    const p = withParams(new URLSearchParams('country=GH&region=x'), { region: '', range: '7d' });
    expect(p.toString()).toBe('country=GH&range=7d');
  });
});

describe('fleet helpers', () => {
  it('sorts worst first and picks the worst status of a group', () => {
    const sorted = worstFirst([
      node('a', 'up'),
      node('b', 'down'),
      node('c', 'degraded'),
      node('d', 'silent'),
    ]);
    expect(sorted.map((n) => n.node_id)).toEqual(['b', 'd', 'c', 'a']);
    expect(worstStatus(['up', 'degraded'])).toBe('degraded');
    expect(worstStatus([])).toBeUndefined();
  });

  it('builds country tiles with counts and sample-weighted averages', () => {
    const t = tiles(
      [
        node('a', 'up', {
          window: { samples: 30, latency_avg_ms: 10, latency_p95_ms: 1, uptime_pct: 100, packet_loss: 0 },
        }),
        node('b', 'down', {
          window: { samples: 10, latency_avg_ms: 50, latency_p95_ms: 1, uptime_pct: 0, packet_loss: 100 },
        }),
        node('c', 'up', { country: 'KE' }),
      ],
      'country',
    );
    expect(t.map((x) => x.key)).toEqual(['GH', 'KE']);
    expect(t[0]).toMatchObject({ nodes: 2, worst: 'down', latency_avg_ms: 20, packet_loss: 25 });
  });

  it('filters by country, region, status and id text', () => {
    const nodes = [node('probe-a', 'up'), node('probe-b', 'down', { country: 'KE' })];
    expect(filterFleet(nodes, { country: 'KE' }).map((n) => n.node_id)).toEqual(['probe-b']);
    expect(filterFleet(nodes, { q: 'A' }).map((n) => n.node_id)).toEqual(['probe-a']);
    expect(filterFleet(nodes, { status: 'down', region: 'Ashanti' })).toHaveLength(1);
  });
});

describe('csv', () => {
  it('quotes separators and neutralises spreadsheet formulas', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', '=HYPERLINK("evil")'],
          [1, null],
        ],
      ),
    ).toBe('a,b\r\n"x,y","\'=HYPERLINK(""evil"")"\r\n1,\r\n');
  });
});

describe('series', () => {
  it('splits points per target and aligns series on one time axis', () => {
    const p = (time: string, target: string, latency: number) => ({
      time,
      target,
      check: 'icmp',
      latency_ms: latency,
      uptime_pct: 100,
      packet_loss: 0,
    });
    const t = byTarget([
      p('2025-01-01T00:00:00Z', 'a', 1),
      p('2025-01-01T00:00:00Z', 'b', 2),
      p('2025-01-01T00:01:00Z', 'a', 3),
    ]);
    expect(t.map((s) => [s.key, s.data[0].length])).toEqual([
      ['icmp a', 2],
      ['icmp b', 1],
    ]);
    const cols = align(
      [{ points: [p('2025-01-01T00:00:00Z', 'a', 1)] }, { points: [p('2025-01-01T00:01:00Z', 'a', 5)] }],
      'latency',
    );
    expect(cols).toEqual([
      [1735689600, 1735689660],
      [1, null],
      [null, 5],
    ]);
  });
});

describe('format and geo', () => {
  it('formats numbers and ages', () => {
    expect(fmtMs(1234)).toBe('1.23 s');
    expect(fmtMs(45.26)).toBe('45.3 ms');
    expect(fmtMs(0.047)).toBe('0.047 ms'); // loopback and LAN: not "0.0 ms"
    expect(fmtMs(0.1)).toBe('0.1 ms');
    expect(fmtMs(0)).toBe('0.0 ms');
    expect(fmtMs(null)).toBe('–');
    expect(fmtPct(99.5, 1)).toBe('99.5 %');
    expect(fmtAgo('2025-01-01T00:00:00Z', Date.parse('2025-01-01T00:05:00Z'))).toBe('5 min ago');
  });

  it('places probes by city in their id, else by country', () => {
    expect(nodePosition('probe-gh-accra-01', 'GH', 0)).toEqual([5.6037, -0.187]);
    expect(nodePosition('probe-x-01', 'KE', 0)).toEqual([0.02, 37.91]);
    expect(nodePosition('probe-x-01', 'ZZ', 0)).toBeNull();
    expect(COUNTRY_BY_NUMERIC['288']).toBe('GH');
  });
});

describe('breakGaps', () => {
  it('breaks a line where a probe was silent and leaves regular data alone', () => {
    const regular: Columns = [
      [0, 60, 120, 180],
      [1, 2, 3, 4],
    ];
    expect(breakGaps(regular)).toBe(regular);
    // Minute data with an hour missing after 120 s.
    const holed: Columns = [
      [0, 60, 120, 3720, 3780],
      [1, 2, 3, 4, 5],
    ];
    expect(breakGaps(holed)).toEqual([
      [0, 60, 120, 180, 3720, 3780],
      [1, 2, 3, null, 4, 5],
    ]);
  });
});
