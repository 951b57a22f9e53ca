import { Sample } from '@fiberstack/contracts';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { failed } from './checks/check.types.ts';
import { makeTarget } from './checks/make-target.ts';
import { buildSample } from './sample-builder.ts';

const node = { node_id: 'probe-gh-accra-01', country: 'GH', region: 'Ghana' };
const at = new Date('2026-01-02T03:04:05.678Z');

describe('buildSample', () => {
  it('turns a silent icmp round into uptime 0, loss 100, latency 0', () => {
    const s = buildSample(node, makeTarget('icmp', '127.0.0.1'), failed('100% loss', 5), at, 7);
    expect(s).toEqual({
      ...node,
      latency_ms: 0,
      uptime_pct: 0,
      packet_loss: 100,
      timestamp: '2026-01-02T03:04:05.678Z',
      target: '127.0.0.1',
      check: 'icmp',
      seq: 7,
    });
    expect(Value.Check(Sample, s)).toBe(true);
  });

  it('counts partial icmp loss per echo', () => {
    const r = { ok: true, rtts: [1, 3], sent: 4, reachable: true };
    const s = buildSample(node, makeTarget('icmp', '127.0.0.1'), r, at);
    expect(s).toMatchObject({ packet_loss: 50, latency_ms: 2, jitter_ms: 2, latency_median_ms: 2 });
    expect(Value.Check(Sample, s)).toBe(true);
  });

  it('keeps an http error status as reachable (loss 0) but down (uptime 0)', () => {
    const r = {
      ok: false,
      rtts: [12],
      sent: 1,
      reachable: true,
      http_status: 503,
      http: { total_ms: 12, ttfb_ms: 10 },
    };
    const s = buildSample(node, makeTarget('http', 'http://127.0.0.1/'), r, at);
    expect(s).toMatchObject({ uptime_pct: 0, packet_loss: 0, http_status: 503, latency_ms: 12 });
    expect(s.jitter_ms).toBeUndefined();
    expect(Value.Check(Sample, s)).toBe(true);
  });

  it('clamps absurd timings to the contract range', () => {
    const r = { ok: true, rtts: [90_000], sent: 1, reachable: true };
    expect(buildSample(node, makeTarget('tcp', '127.0.0.1:1'), r, at).latency_ms).toBe(60_000);
  });
});
