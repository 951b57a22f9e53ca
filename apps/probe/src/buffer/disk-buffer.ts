import { type FileHandle, mkdir, open, readdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sample } from '@fiberstack/contracts';
import { fsyncDir } from './atomic-file.ts';
import { type BufferState, comparePos, type Position, readState, writeState } from './buffer-state.ts';
import { encodeFrame } from './frame.ts';
import type { Peeked } from './segment-reader.ts';
import { readFromSegments } from './segment-reader.ts';
import { type SegmentInfo, scanSegment } from './segment-scan.ts';

export interface DiskBufferOptions {
  dir: string;
  maxBytes: number;
  maxAgeMs: number;
  /** Told about every drop (records unsent, why) — the agent logs it as an event. */
  onDrop?: (records: number, reason: 'max_bytes' | 'max_age' | 'disk full') => void;
  segmentBytes: number;
  now?: () => number;
}

export type { Peeked } from './segment-reader.ts';

export interface BufferStats {
  pending_records: number;
  pending_bytes: number;
  dropped_total: number;
  dropped_unreported: number;
  rejected_total: number;
  corrupt_total: number;
}

const SEGMENT = /^(\d{16})\.seg$/;
const segName = (id: number) => `${String(id).padStart(16, '0')}.seg`;

/** Index of the first frame at or after `offset` = frames before it. */
function framesBefore(offsets: number[], offset: number): number {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Durable FIFO of samples: append-only segment files of CRC-framed records and an ack
 * cursor in state.json. Durability: `append()` resolves only after write + fdatasync of the
 * group it joined (group commit), so the unsynced window is the samples not yet appended.
 * Bounded by `maxBytes` and `maxAgeMs`: whole oldest segments are dropped and their unsent
 * records counted exactly. While a batch is leased (peeked, not yet acked) nothing is
 * dropped, so the size may exceed `maxBytes` by that batch (≤ 1 MiB) for the push duration.
 */
export class DiskBuffer {
  private segments: SegmentInfo[] = [];
  private active!: { info: SegmentInfo; fh: FileHandle };
  private state!: BufferState;
  private chain: Promise<unknown> = Promise.resolve();
  private queued: Array<{ frames: Buffer[]; times: number[]; done: (err?: Error) => void }> = [];
  private flushing = false;
  private leased = false;
  private closed = false;
  private readonly now: () => number;

  private constructor(private readonly o: DiskBufferOptions) {
    this.now = o.now ?? Date.now;
  }

  static async open(options: DiskBufferOptions): Promise<DiskBuffer> {
    const b = new DiskBuffer(options);
    await b.load();
    return b;
  }

  private async load(): Promise<void> {
    const { dir } = this.o;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    this.state = await readState(dir);
    const names = (await readdir(dir)).filter((n) => SEGMENT.test(n)).sort();
    let stateChanged = false;
    for (const name of names) {
      const id = Number(SEGMENT.exec(name)![1]);
      const path = join(dir, name);
      if (id < this.state.ack.segment) {
        await unlink(path); // fully acked before a crash interrupted the cleanup
        continue;
      }
      const scan = await scanSegment(id, path);
      if (scan.corruptFrames > 0) {
        this.state.corrupt_total += scan.corruptFrames;
        this.state.corrupt_bytes += scan.corruptBytes;
        if (scan.remap && id === this.state.ack.segment) {
          this.state.ack = { segment: id, offset: scan.remap(this.state.ack.offset) };
        }
        stateChanged = true;
      }
      this.segments.push(scan.info);
    }
    await rm(join(dir, 'state.json.tmp'), { force: true });
    if (stateChanged) await writeState(dir, this.state);
    const lastId = this.segments.at(-1)?.id ?? this.state.ack.segment;
    await this.startSegment(lastId + 1);
  }

  private async startSegment(id: number): Promise<void> {
    const path = join(this.o.dir, segName(id));
    const fh = await open(path, 'a+', 0o600);
    await fsyncDir(this.o.dir);
    const info: SegmentInfo = { id, path, size: 0, records: 0, offsets: [], oldestMs: Infinity, newestMs: 0 };
    this.segments.push(info);
    this.active = { info, fh };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Appends samples durably; resolves after fdatasync. Samples stay in order. */
  append(samples: readonly Sample[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('buffer closed'));
    if (samples.length === 0) return Promise.resolve();
    const frames: Buffer[] = [];
    const times: number[] = [];
    for (const s of samples) {
      const t = typeof s.timestamp === 'number' ? s.timestamp : Date.parse(s.timestamp);
      times.push(Number.isFinite(t) ? t : this.now());
      frames.push(encodeFrame(times.at(-1)!, JSON.stringify(s)));
    }
    return new Promise((resolve, reject) => {
      this.queued.push({ frames, times, done: (err) => (err ? reject(err) : resolve()) });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queued.length > 0) {
      const group = this.queued.splice(0);
      try {
        await this.serial(() =>
          this.writeGroup(
            group.flatMap((g) => g.frames),
            group.flatMap((g) => g.times),
          ),
        );
        for (const g of group) g.done();
      } catch (err) {
        for (const g of group) g.done(err as Error);
      }
    }
    this.flushing = false;
  }

  private async writeGroup(frames: Buffer[], times: number[]): Promise<void> {
    const bytes = frames.reduce((n, f) => n + f.length, 0);
    await this.enforceLimits(bytes);
    if (this.active.info.size > 0 && this.active.info.size + bytes > this.o.segmentBytes) await this.rotate();
    try {
      await this.writeFrames(frames, times);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      // Disk full: give up the oldest data for the newest, then retry once.
      await this.active.fh.truncate(this.active.info.size);
      if (!(await this.dropHead('disk full'))) throw err;
      await this.rotate();
      await this.writeFrames(frames, times);
    }
  }

  private async writeFrames(frames: Buffer[], times: number[]): Promise<void> {
    const info = this.active.info;
    await this.active.fh.write(Buffer.concat(frames));
    await this.active.fh.datasync();
    let at = info.size;
    frames.forEach((f, i) => {
      info.offsets.push(at);
      at += f.length;
      info.oldestMs = Math.min(info.oldestMs, times[i]!);
      info.newestMs = Math.max(info.newestMs, times[i]!);
    });
    info.size = at;
    info.records += frames.length;
  }

  private async rotate(): Promise<void> {
    await this.active.fh.close();
    await this.startSegment(this.active.info.id + 1);
  }

  private unackedIn(seg: SegmentInfo): { records: number; bytes: number } {
    const { ack } = this.state;
    if (seg.id < ack.segment) return { records: 0, bytes: 0 };
    if (seg.id > ack.segment) return { records: seg.records, bytes: seg.size };
    return {
      records: seg.records - framesBefore(seg.offsets, ack.offset),
      bytes: Math.max(0, seg.size - ack.offset),
    };
  }

  private async enforceLimits(incoming: number): Promise<void> {
    if (this.leased) return; // see class comment: never drop a batch that is in flight
    const cutoff = this.now() - this.o.maxAgeMs;
    for (;;) {
      const head = this.segments[0]!;
      const tooOld = head.records > 0 && head.newestMs < cutoff;
      if (!tooOld && this.pendingBytes() + incoming <= this.o.maxBytes) return;
      if (this.pendingBytes() === 0) return;
      await this.dropHead(tooOld ? 'max_age' : 'max_bytes');
    }
  }

  /** Drops the oldest segment, counting its unsent records. False when nothing to drop. */
  private async dropHead(reason: 'max_bytes' | 'max_age' | 'disk full'): Promise<boolean> {
    const head = this.segments[0];
    if (!head || this.pendingBytes() === 0) return false;
    if (head === this.active.info) await this.rotate();
    const { records } = this.unackedIn(head);
    this.state.dropped_total += records;
    this.state.dropped_unreported += records;
    this.state.ack = { segment: head.id + 1, offset: 0 };
    await writeState(this.o.dir, this.state);
    this.segments.shift();
    await unlink(head.path).catch(() => undefined);
    if (records > 0) this.o.onDrop?.(records, reason);
    return true;
  }

  private pendingBytes(): number {
    return this.segments.reduce((n, s) => n + this.unackedIn(s).bytes, 0);
  }

  /** Applies max_age now (called periodically by the agent, appends do it too). */
  maintain(): Promise<void> {
    return this.serial(() => this.enforceLimits(0));
  }

  /** Reads up to `maxRecords` unacked samples (≤ `maxBytes` JSON) and leases them. */
  peek(maxRecords: number, maxBytes: number): Promise<Peeked> {
    return this.serial(() => this.read(maxRecords, maxBytes));
  }

  private async read(maxRecords: number, maxBytes: number): Promise<Peeked> {
    const active = this.active;
    const peeked = await readFromSegments(this.segments, this.state.ack, { maxRecords, maxBytes }, (seg) =>
      seg === active.info ? active.fh : undefined,
    );
    this.leased = peeked.samples.length > 0;
    return peeked;
  }

  /**
   * Removes everything up to `end` (after a 2xx, or a final 4xx with `rejected`), and
   * subtracts the `dropped` count that the accepted batch reported to the API.
   */
  ack(end: Position, outcome: { reportedDropped?: number; rejected?: number } = {}): Promise<void> {
    return this.serial(async () => {
      this.leased = false;
      const s = this.state;
      if (comparePos(end, s.ack) > 0) s.ack = end;
      s.dropped_unreported = Math.max(0, s.dropped_unreported - (outcome.reportedDropped ?? 0));
      s.rejected_total += outcome.rejected ?? 0;
      await writeState(this.o.dir, s);
      while (this.segments.length > 1 && this.segments[0]!.id < s.ack.segment) {
        await unlink(this.segments.shift()!.path).catch(() => undefined);
      }
      const head = this.segments[0];
      if (head && head !== this.active.info && head.id === s.ack.segment && s.ack.offset >= head.size) {
        s.ack = { segment: head.id + 1, offset: 0 };
        await writeState(this.o.dir, s);
        await unlink(this.segments.shift()!.path).catch(() => undefined);
      }
    });
  }

  /** Ends a lease without removing anything (the push will be retried). */
  release(): void {
    this.leased = false;
  }

  stats(): BufferStats {
    let records = 0;
    let bytes = 0;
    for (const seg of this.segments) {
      const u = this.unackedIn(seg);
      records += u.records;
      bytes += u.bytes;
    }
    const s = this.state;
    return {
      pending_records: records,
      pending_bytes: bytes,
      dropped_total: s.dropped_total,
      dropped_unreported: s.dropped_unreported,
      rejected_total: s.rejected_total,
      corrupt_total: s.corrupt_total,
    };
  }

  /** Waits for queued appends, then closes the active segment. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    while (this.flushing || this.queued.length > 0) await new Promise((r) => setTimeout(r, 5));
    this.closed = true;
    await this.serial(() => this.active.fh.close());
  }
}
