import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.ts';

/** A position in the log: byte `offset` inside segment `segment`. */
export interface Position {
  segment: number;
  offset: number;
}

export function comparePos(a: Position, b: Position): number {
  return a.segment - b.segment || a.offset - b.offset;
}

/** Persisted next to the segments as state.json (atomic replace on every change). */
export interface BufferState {
  version: 1;
  /** Everything before this position was delivered (2xx), rejected (final 4xx) or dropped. */
  ack: Position;
  /** Records removed unsent by max_bytes / max_age / disk full, since the buffer was created. */
  dropped_total: number;
  /** Dropped records not yet reported to the API (sent as `dropped` in the next batch). */
  dropped_unreported: number;
  /** Records the API refused with a final 4xx. */
  rejected_total: number;
  /** Torn or corrupt frames skipped on open. */
  corrupt_total: number;
  corrupt_bytes: number;
}

export const INITIAL_STATE: BufferState = {
  version: 1,
  ack: { segment: 0, offset: 0 },
  dropped_total: 0,
  dropped_unreported: 0,
  rejected_total: 0,
  corrupt_total: 0,
  corrupt_bytes: 0,
};

const FILE = 'state.json';

export async function readState(dir: string): Promise<BufferState> {
  let text: string;
  try {
    text = await readFile(join(dir, FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ...INITIAL_STATE };
    throw new Error('cannot read buffer state', { cause: err });
  }
  const parsed = JSON.parse(text) as Partial<BufferState>;
  return { ...INITIAL_STATE, ...parsed, version: 1 };
}

export function writeState(dir: string, state: BufferState): Promise<void> {
  return writeFileAtomic(join(dir, FILE), JSON.stringify(state));
}
