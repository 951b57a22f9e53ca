import { describe, expect, it } from 'vitest';
import { parseFpingSummary, parsePingOutput } from './pinger.ts';
import { roundStats } from './stats.ts';

describe('roundStats', () => {
  it('gives min, mean, max, median and the mean successive difference as jitter', () => {
    const s = roundStats([10, 14, 12, 20])!;
    expect(s).toEqual({ avg: 14, min: 10, max: 20, median: 13, jitter: (4 + 2 + 8) / 3 });
  });
  it('has zero jitter for one answer and nothing for none', () => {
    expect(roundStats([5])).toMatchObject({ avg: 5, jitter: 0, median: 5 });
    expect(roundStats([])).toBeUndefined();
  });
});

describe('ICMP tool output', () => {
  it('reads fping -C summaries with lost packets as null', () => {
    expect(parseFpingSummary('10.0.0.1 : 0.06 - 0.05\n', 3)).toEqual([0.06, null, 0.05]);
    expect(parseFpingSummary('example.org : - - -', 3)).toEqual([null, null, null]);
    expect(parseFpingSummary('example.org: Name or service not known', 3)).toBeUndefined();
  });
  it('places iputils ping replies by icmp_seq', () => {
    const out = [
      '64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.016 ms',
      '64 bytes from 127.0.0.1: icmp_seq=3 ttl=64 time=0.046 ms',
    ].join('\n');
    expect(parsePingOutput(out, 3)).toEqual([0.016, null, 0.046]);
  });
});
