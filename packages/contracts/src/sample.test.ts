import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { PushBatch, PushBody, Sample } from './index.ts';

const blueprint = {
  node_id: 'probe-gh-accra-01',
  country: 'GH',
  region: 'Ghana',
  latency_ms: 45.2,
  uptime_pct: 99.5,
  packet_loss: 0.1,
  timestamp: '2025-11-24T16:00:00Z',
};

describe('Sample', () => {
  it("accepts the blueprint's push body verbatim", () => {
    expect(Value.Check(Sample, blueprint)).toBe(true);
    expect(Value.Check(PushBody, blueprint)).toBe(true);
  });

  it('accepts a batch with richer fields', () => {
    const batch = {
      samples: [
        {
          ...blueprint,
          target: 'https://example.org',
          check: 'http',
          http_status: 200,
          http: { dns_ms: 2, total_ms: 40 },
        },
        {
          ...blueprint,
          target: '1.1.1.1',
          check: 'icmp',
          jitter_ms: 1.2,
          latency_min_ms: 40,
          latency_max_ms: 50,
        },
      ],
    };
    expect(Value.Check(PushBatch, batch)).toBe(true);
  });

  it.each([
    ['negative latency', { latency_ms: -1 }],
    ['latency above the API limit', { latency_ms: 60_001 }],
    ['loss above 100 %', { packet_loss: 100.5 }],
    ['uptime above 100 %', { uptime_pct: 101 }],
    ['latency as a string', { latency_ms: '45' }],
    ['lower-case country', { country: 'gh' }],
    ['node id with a slash', { node_id: 'a/b' }],
    ['an unknown field', { is_admin: true }],
    ['a control character in region', { region: 'Gha\u0000na' }],
    ['an unknown check kind', { check: 'udp' }],
  ])('rejects %s', (_name, patch) => {
    expect(Value.Check(Sample, { ...blueprint, ...patch })).toBe(false);
  });

  it('rejects an empty batch and one over 1 000 samples', () => {
    expect(Value.Check(PushBatch, { samples: [] })).toBe(false);
    expect(Value.Check(PushBatch, { samples: Array.from({ length: 1001 }, () => blueprint) })).toBe(false);
  });
});
