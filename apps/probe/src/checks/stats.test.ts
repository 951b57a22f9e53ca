import { describe, expect, it } from 'vitest';
import { parseFpingSummaries, parsePingOutput } from './pinger.ts';
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
  it('reads fping -C summaries per host with lost packets as null', () => {
    const out = [
      '10.0.0.1    : 0.06 - 0.05',
      'example.org : - - -',
      'other.org: Name or service not known',
      '10.0.0.2    : 0.06 0.07',
      '10.0.0.1    : 0.01 0.02 0.03',
    ].join('\n');
    const byHost = parseFpingSummaries(out, 3);
    expect(byHost.get('10.0.0.1')).toEqual([
      [0.06, null, 0.05],
      [0.01, 0.02, 0.03],
    ]);
    expect(byHost.get('example.org')).toEqual([[null, null, null]]);
    expect(byHost.has('other.org')).toBe(false);
    expect(byHost.has('10.0.0.2')).toBe(false); // two values where three were sent
  });
  it('places iputils ping replies by icmp_seq', () => {
    const out = [
      '64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.016 ms',
      '64 bytes from 127.0.0.1: icmp_seq=3 ttl=64 time=0.046 ms',
    ].join('\n');
    expect(parsePingOutput(out, 3)).toEqual([0.016, null, 0.046]);
  });
});
