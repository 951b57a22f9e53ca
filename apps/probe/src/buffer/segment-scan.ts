import { open, readFile, rename } from 'node:fs/promises';
import { fsyncDir } from './atomic-file.ts';
import { readFrame } from './frame.ts';

export interface SegmentInfo {
  id: number;
  path: string;
  /** Valid bytes (the file is truncated/rewritten to exactly this). */
  size: number;
  /** Frames in the segment. */
  records: number;
  /** Start offset of every frame (kept so acks can be counted exactly). */
  offsets: number[];
  oldestMs: number;
  newestMs: number;
}

export interface ScanResult {
  info: SegmentInfo;
  corruptFrames: number;
  corruptBytes: number;
  /** Old offset → new offset, when the segment had to be rewritten. */
  remap?: (offset: number) => number;
}

/**
 * Reads a whole segment, validating every frame. A CRC-bad frame with a sane length is
 * skipped; a torn tail (length past EOF, garbage, zeros) ends the segment. When anything
 * was skipped the segment is rewritten with only its valid frames (temp + fsync + rename),
 * so the damage is counted once and never read again.
 */
export async function scanSegment(id: number, path: string): Promise<ScanResult> {
  const buf = await readFile(path);
  const good: Array<{ offset: number; size: number; timeMs: number }> = [];
  let corruptFrames = 0;
  let corruptBytes = 0;
  let offset = 0;
  for (;;) {
    const f = readFrame(buf, offset);
    if (f.kind === 'end') break;
    if (f.kind === 'ok') {
      good.push({ offset, size: f.size, timeMs: f.timeMs });
      offset += f.size;
    } else if (f.kind === 'corrupt') {
      corruptFrames++;
      corruptBytes += f.size;
      offset += f.size;
    } else {
      corruptFrames++;
      corruptBytes += buf.length - offset;
      break;
    }
  }
  const base = { id, path, oldestMs: Number.POSITIVE_INFINITY, newestMs: 0 };
  for (const g of good) {
    base.oldestMs = Math.min(base.oldestMs, g.timeMs);
    base.newestMs = Math.max(base.newestMs, g.timeMs);
  }
  if (corruptFrames === 0) {
    const info = { ...base, size: buf.length, records: good.length, offsets: good.map((g) => g.offset) };
    return { info, corruptFrames, corruptBytes };
  }
  const parts = good.map((g) => buf.subarray(g.offset, g.offset + g.size));
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(Buffer.concat(parts));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await fsyncDir(base.path.slice(0, base.path.lastIndexOf('/')) || '.');
  const newOffsets: number[] = [];
  let at = 0;
  for (const g of good) {
    newOffsets.push(at);
    at += g.size;
  }
  const remap = (old: number): number => {
    let pos = 0;
    for (const g of good) {
      if (g.offset >= old) return pos;
      pos += g.size;
    }
    return pos;
  };
  const info = { ...base, size: at, records: good.length, offsets: newOffsets };
  return { info, corruptFrames, corruptBytes, remap };
}
