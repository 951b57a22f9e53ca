import { describe, expect, it } from 'vitest';
import { parseQueueEntry } from './entry.ts';
import { redisStreamKeys } from './redis-keys.ts';
import { oldestIdleMs, parseAutoClaim, pendingCount, recordsFromRead } from './redis-replies.ts';

describe('redis replies', () => {
  it('reads records, keeping foreign fields as JSON and deleted entries as null', () => {
    const reply = [
      [
        's',
        [
          ['1-0', ['entry', '{"a":1}']],
          ['2-0', ['x', 'y']],
          ['3-0', null],
        ],
      ],
    ];
    expect(recordsFromRead(reply)).toEqual([
      { id: '1-0', raw: '{"a":1}' },
      { id: '2-0', raw: '["x","y"]' },
      { id: '3-0', raw: null },
    ]);
    expect(recordsFromRead(null)).toEqual([]);
  });

  it('parses XAUTOCLAIM with and without the deleted-ids part', () => {
    expect(parseAutoClaim(['5-0', [['4-0', ['entry', 'x']]], ['3-0']])).toEqual({
      cursor: '5-0',
      records: [{ id: '4-0', raw: 'x' }],
      deleted: ['3-0'],
    });
    expect(parseAutoClaim(['0-0', [null]]).deleted).toEqual([]);
  });

  it('rejects payloads that are not a valid queue entry', () => {
    expect(parseQueueEntry('{not json')).toBeNull();
    expect(parseQueueEntry('{"v":1}')).toBeNull();
    expect(parseQueueEntry(JSON.stringify({ v: 1, message_id: 'm', received_at: 1, samples: [] }))).toEqual({
      v: 1,
      message_id: 'm',
      received_at: 1,
      samples: [],
    });
  });

  it('reads XPENDING summaries and the oldest idle time', () => {
    expect(pendingCount([3, '1-0', '3-0', [['c', '3']]])).toBe(3);
    expect(oldestIdleMs([['1-0', 'c', 1500, 2]])).toBe(1500);
    expect(oldestIdleMs([])).toBeNull();
  });

  it('derives dead-letter and error stream names from the prefixed stream', () => {
    expect(redisStreamKeys(undefined, 't1:')).toEqual({
      stream: 't1:fiberstack:samples',
      dead: 't1:fiberstack:samples:dead',
      errors: 't1:fiberstack:samples:errors',
    });
  });
});
