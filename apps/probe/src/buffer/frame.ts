import { crc32 } from './crc32.ts';

/**
 * One record on disk: `u32 length | u32 crc32(body) | body`, big-endian, where
 * body = `f64 time_ms | payload (UTF-8 JSON)`. A length outside [9, MAX] or a CRC mismatch
 * marks a torn or corrupt frame; zero-filled tails (seen after power loss) fail both.
 */
export const HEADER_BYTES = 8;
export const MAX_PAYLOAD_BYTES = 64 * 1024;
const MAX_BODY = MAX_PAYLOAD_BYTES + 8;

export function encodeFrame(timeMs: number, payload: string): Buffer {
  const bytes = Buffer.byteLength(payload);
  if (bytes > MAX_PAYLOAD_BYTES) throw new Error(`record of ${bytes} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  const frame = Buffer.allocUnsafe(HEADER_BYTES + 8 + bytes);
  frame.writeUInt32BE(8 + bytes, 0);
  frame.writeDoubleBE(timeMs, 8);
  frame.write(payload, 16, 'utf8');
  frame.writeUInt32BE(crc32(frame, 8), 4);
  return frame;
}

export type FrameRead =
  | { kind: 'ok'; offset: number; size: number; timeMs: number; payload: Buffer }
  | { kind: 'corrupt'; offset: number; size: number }
  | { kind: 'torn'; offset: number }
  | { kind: 'end' };

/** Reads the frame at `offset` of `buf` (which holds file bytes from `base`). */
export function readFrame(buf: Buffer, offset: number): FrameRead {
  if (offset >= buf.length) return { kind: 'end' };
  if (offset + HEADER_BYTES > buf.length) return { kind: 'torn', offset };
  const length = buf.readUInt32BE(offset);
  if (length < 9 || length > MAX_BODY) return { kind: 'torn', offset };
  const end = offset + HEADER_BYTES + length;
  if (end > buf.length) return { kind: 'torn', offset };
  if (crc32(buf, offset + HEADER_BYTES, end) !== buf.readUInt32BE(offset + 4)) {
    return { kind: 'corrupt', offset, size: end - offset };
  }
  return {
    kind: 'ok',
    offset,
    size: end - offset,
    timeMs: buf.readDoubleBE(offset + HEADER_BYTES),
    payload: buf.subarray(offset + HEADER_BYTES + 8, end),
  };
}
