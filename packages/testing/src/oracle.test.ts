import { describe, expect, it } from 'vitest';
import { createOracle } from './oracle.ts';

const a = { node: 'probe-a', target: 'example.com', check: 'http' };
const b = { node: 'probe-b', target: 'example.com', check: 'icmp' };

describe('oracle', () => {
  it('numbers samples per series from 1', () => {
    const oracle = createOracle();
    expect([oracle.next(a), oracle.next(a), oracle.next(b), oracle.next(a)]).toEqual([1, 2, 1, 3]);
    expect(oracle.generated).toBe(4);
  });

  it('reports lost = generated − distinct stored and dup = rows − distinct stored', () => {
    const oracle = createOracle();
    for (let i = 0; i < 5; i++) oracle.next(a);
    for (let i = 0; i < 3; i++) oracle.next(b);
    const rows = [
      ...[1, 2, 2, 4, 5, 5, 5].map((seq) => ({ ...a, seq })), // 3 lost, 3 dup rows
      ...[1, 2, 3].map((seq) => ({ ...b, seq })),
    ];
    const result = oracle.compare(rows);
    expect(result).toMatchObject({
      generated: 8,
      stored_distinct: 7,
      rows: 10,
      lost: 1,
      dup: 3,
      unexpected: 0,
    });
    expect(result.lost_examples).toEqual([{ ...a, seq: 3 }]);
  });

  it('is clean when every sample is stored once', () => {
    const oracle = createOracle();
    const rows = [a, b, a].map((s) => ({ ...s, seq: oracle.next(s) }));
    expect(oracle.compare(rows)).toMatchObject({ lost: 0, dup: 0, rows: 3, stored_distinct: 3 });
  });

  it('counts stored samples that were never generated apart, so they cannot hide a loss', () => {
    const oracle = createOracle();
    oracle.next(a);
    const result = oracle.compare([{ ...a, seq: 99 }]);
    expect(result).toMatchObject({ lost: 1, unexpected: 1, stored_distinct: 0, dup: 0 });
  });

  it('accepts externally numbered samples and rejects a seq recorded twice', () => {
    const oracle = createOracle();
    oracle.record({ ...a, seq: 10 });
    expect(oracle.next(a)).toBe(11);
    expect(() => oracle.record({ ...a, seq: 10 })).toThrow(/twice/);
  });
});
