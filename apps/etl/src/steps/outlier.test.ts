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
});
