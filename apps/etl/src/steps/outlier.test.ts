import type { SampleRow } from '@fiberstack/db';
import { sampleRow } from '@fiberstack/testing';
import { describe, expect, it } from 'vitest';
import { OutlierDetector } from './outlier.ts';

const row = (latency_ms: number, overrides: Partial<SampleRow> = {}): SampleRow =>
  sampleRow({
    node_id: 'n1',
    time: new Date(),
    region: 'Accra',
    latency_ms,
    received_at: new Date(),
    ...overrides,
  });

const detector = () => new OutlierDetector({ window: 30, minSamples: 10, maxSeries: 3 });

describe('OutlierDetector', () => {
  it('judges nothing until the window has minSamples', () => {
    const d = detector();
    for (let i = 0; i < 10; i++) expect(d.observe(row(20))).toBeNull();
    expect(d.observe(row(1000))?.outlier).toBe(true);
  });

  it('flags a spike above 3 × median and not normal variation', () => {
    const d = detector();
    for (let i = 0; i < 20; i++) d.observe(row(40 + (i % 5)));
    const spike = row(200);
    expect(d.observe(spike)).toMatchObject({ outlier: true, median: 42 });
    expect(spike.outlier).toBe(true);
    const normal = row(55);
    expect(d.observe(normal)?.outlier).toBe(false);
    expect(normal.outlier).toBe(false);
  });

  it('needs at least 10 ms above the median on tiny latencies', () => {
    const d = detector();
    for (let i = 0; i < 20; i++) d.observe(row(0.3));
    expect(d.observe(row(5))?.outlier).toBe(false);
    expect(d.observe(row(11))?.outlier).toBe(true);
  });

  it('keeps series apart, skips rounds without success and bounds the series count', () => {
    const d = detector();
    for (let i = 0; i < 20; i++) d.observe(row(300, { target: 'far' }));
    for (let i = 0; i < 20; i++) d.observe(row(10, { target: 'near' }));
    expect(d.observe(row(300, { target: 'far' }))?.outlier).toBe(false);
    expect(d.observe(row(300, { target: 'near' }))?.outlier).toBe(true);
    expect(d.observe(row(0, { uptime_pct: 0, target: 'near' }))).toBeNull();
    for (const t of ['a', 'b', 'c', 'd']) d.observe(row(10, { target: t }));
    expect(d.seriesCount).toBe(3);
  });

  it('gives the verdicts of sorting every window, on random series with spikes and ties', () => {
    const sortedMedian = (values: readonly number[]) => {
      const v = [...values].sort((a, b) => a - b);
      const mid = v.length >> 1;
      return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
    };
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (const window of [5, 6, 30, 31]) {
      const d = new OutlierDetector({ window, minSamples: Math.min(window, 4), maxSeries: 10 });
      const history = new Map<string, number[]>();
      for (let i = 0; i < 4_000; i++) {
        const target = `t${Math.floor(random() * 3)}`;
        const r = random();
        const latency = r < 0.05 ? 500 * random() : r < 0.3 ? 20 : Math.round(200 * random()) / 10;
        const seen = history.get(target) ?? [];
        history.set(target, seen);
        const verdict = d.observe(row(latency, { target }));
        if (seen.length < Math.min(window, 4)) expect(verdict).toBeNull();
        else {
          const median = sortedMedian(seen);
          const mad = sortedMedian(seen.map((v) => Math.abs(v - median)));
          const threshold = Math.max(3 * median, median + 6 * mad, median + 10);
          expect(verdict).toEqual({ outlier: latency > threshold, median, threshold });
        }
        seen.push(latency);
        if (seen.length > window) seen.shift();
      }
    }
  });
});
