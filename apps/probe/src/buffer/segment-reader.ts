import { type FileHandle, open } from 'node:fs/promises';
import type { Sample } from '@fiberstack/contracts';
import type { Position } from './buffer-state.ts';
import { MAX_PAYLOAD_BYTES, readFrame } from './frame.ts';
import type { SegmentInfo } from './segment-scan.ts';

export interface Peeked {
  samples: Sample[];
  /** Bytes of JSON payload in `samples` (for the API's 1 MiB body limit). */
  bytes: number;
  /** Position just after the last returned record: ack this to remove them. */
  end: Position;
}

/**
 * Reads records in log order from `from`, up to `maxRecords` and `maxBytes` of payload
 * (at least one record), across segments. Reads only the bytes it may return.
 */
export async function readFromSegments(
  segments: readonly SegmentInfo[],
  from: Position,
  limits: { maxRecords: number; maxBytes: number },
  openHandle: (seg: SegmentInfo) => FileHandle | undefined,
): Promise<Peeked> {
  const samples: Sample[] = [];
  let bytes = 0;
  let end = from;
  for (const seg of segments) {
    if (seg.id < from.segment || samples.length >= limits.maxRecords) continue;
    const start = seg.id === from.segment ? from.offset : 0;
    if (start >= seg.size) continue;
    const length = Math.min(seg.size - start, limits.maxBytes + MAX_PAYLOAD_BYTES + 16);
    const shared = openHandle(seg);
    const fh = shared ?? (await open(seg.path, 'r'));
    const buf = Buffer.alloc(length);
    try {
      await fh.read(buf, 0, length, start);
    } finally {
      if (!shared) await fh.close();
    }
    let off = 0;
    while (samples.length < limits.maxRecords) {
      const f = readFrame(buf, off);
      if (f.kind !== 'ok' && f.kind !== 'corrupt') break;
      if (f.kind === 'ok') {
        if (samples.length > 0 && bytes + f.payload.length > limits.maxBytes) break;
        samples.push(JSON.parse(f.payload.toString('utf8')) as Sample);
        bytes += f.payload.length;
      }
      off += f.size;
      end = { segment: seg.id, offset: start + off };
    }
    if (bytes >= limits.maxBytes || off < seg.size - start) break;
  }
  return { samples, bytes, end };
}
