import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.ts';
import { encodeFrame, readFrame } from './frame.ts';

describe('record framing', () => {
  it('computes the standard CRC-32 check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });

  it('round-trips a record and spots truncation, bit flips and zero fill', () => {
    const f = encodeFrame(1234.5, '{"a":1}');
    expect(readFrame(f, 0)).toMatchObject({ kind: 'ok', size: f.length, timeMs: 1234.5 });
    expect((readFrame(f, 0) as { payload: Buffer }).payload.toString()).toBe('{"a":1}');
    expect(readFrame(f.subarray(0, f.length - 1), 0)).toEqual({ kind: 'torn', offset: 0 });
    const flipped = Buffer.from(f);
    flipped[f.length - 2]! ^= 1;
    expect(readFrame(flipped, 0)).toMatchObject({ kind: 'corrupt', size: f.length });
    expect(readFrame(Buffer.alloc(32), 0)).toEqual({ kind: 'torn', offset: 0 });
    expect(readFrame(f, f.length)).toEqual({ kind: 'end' });
  });

  it('refuses a record over 64 KiB', () => {
    expect(() => encodeFrame(0, 'x'.repeat(70_000))).toThrow(/exceeds/);
  });
});
