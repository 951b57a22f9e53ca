import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskBuffer, type DiskBufferOptions } from './disk-buffer.ts';
import { testSample } from './test-sample.ts';

let dir: string;
const open = (o: Partial<DiskBufferOptions> = {}) =>
  DiskBuffer.open({ dir, maxBytes: 1024 * 1024, maxAgeMs: 86_400_000, segmentBytes: 64 * 1024, ...o });
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => testSample(from + i));
const seqsOf = async (b: DiskBuffer) => {
  const p = await b.peek(1_000_000, 64 * 1024 * 1024);
  b.release();
  return p.samples.map((s) => s.seq);
};
const segments = () =>
  readdirSync(dir)
    .filter((n) => n.endsWith('.seg'))
    .sort();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'probe-buf-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('disk buffer', () => {
  it('keeps samples until acked, across reopen, in order', async () => {
    let b = await open();
    await b.append(range(0, 10));
    const first = await b.peek(4, 1_000_000);
    expect(first.samples.map((s) => s.seq)).toEqual([0, 1, 2, 3]);
    await b.ack(first.end);
    const unacked = await b.peek(3, 1_000_000); // leased, never acked: must come back
    b.release();
    expect(unacked.samples.map((s) => s.seq)).toEqual([4, 5, 6]);
    await b.close();
    b = await open();
    expect(b.stats()).toMatchObject({ pending_records: 6, dropped_total: 0, corrupt_total: 0 });
    expect(await seqsOf(b)).toEqual([4, 5, 6, 7, 8, 9]);
    await b.close();
  });

  it('groups concurrent appends into one durable write and keeps their order', async () => {
    const b = await open();
    await Promise.all([b.append(range(0, 3)), b.append(range(3, 3)), b.append(range(6, 3))]);
    expect(await seqsOf(b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    await b.close();
  });

  it('rolls segments and deletes them once acked', async () => {
    const b = await open({ segmentBytes: 4096 });
    for (let i = 0; i < 10; i++) await b.append(range(i * 20, 20));
    expect(segments().length).toBeGreaterThan(3);
    for (;;) {
      const p = await b.peek(50, 1_000_000);
      if (p.samples.length === 0) break;
      await b.ack(p.end);
    }
    expect(b.stats().pending_records).toBe(0);
    expect(segments().length).toBeLessThanOrEqual(2);
    await b.close();
  });

  it('drops the oldest samples beyond max_bytes and counts exactly how many', async () => {
    let events = 0;
    let b = await open({ maxBytes: 64 * 1024, segmentBytes: 8 * 1024, onDrop: (n) => (events += n) });
    const total = 1500;
    for (let i = 0; i < total; i += 50) await b.append(range(i, 50));
    const st = b.stats();
    expect(st.pending_bytes).toBeLessThanOrEqual(64 * 1024);
    expect(st.dropped_total).toBeGreaterThan(0);
    expect(st.dropped_total + st.pending_records).toBe(total);
    const seqs = await seqsOf(b);
    expect(seqs[0]).toBe(st.dropped_total); // exactly the oldest went
    expect(seqs.at(-1)).toBe(total - 1);
    expect(events).toBe(st.dropped_total);
    await b.close();
    b = await open({ maxBytes: 64 * 1024, segmentBytes: 8 * 1024 });
    expect(b.stats()).toMatchObject({
      dropped_total: st.dropped_total,
      dropped_unreported: st.dropped_total,
    });
    const p = await b.peek(10, 1_000_000);
    await b.ack(p.end, { reportedDropped: st.dropped_total });
    expect(b.stats()).toMatchObject({ dropped_total: st.dropped_total, dropped_unreported: 0 });
    await b.close();
  });

  it('never drops a batch that is in flight', async () => {
    const b = await open({ maxBytes: 16 * 1024, segmentBytes: 4096 });
    await b.append(range(0, 20));
    const leased = await b.peek(20, 1_000_000);
    for (let i = 20; i < 200; i += 20) await b.append(range(i, 20));
    expect(b.stats().dropped_total).toBe(0);
    await b.ack(leased.end);
    await b.append(range(200, 1));
    const st = b.stats();
    expect(st.dropped_total + st.pending_records).toBe(201 - 20);
    await b.close();
  });

  it('drops samples older than max_age with an exact count', async () => {
    let now = Date.parse('2026-01-10T00:00:00Z');
    const b = await open({ maxAgeMs: 3600_000, segmentBytes: 4096, now: () => now });
    const old = Array.from({ length: 30 }, (_, i) => testSample(i, '2026-01-09T22:00:00Z'));
    await b.append(old);
    now += 1; // new data in a new segment
    await b.append(range(30, 40).map((s) => ({ ...s, timestamp: '2026-01-09T23:59:00Z' })));
    await b.maintain();
    const st = b.stats();
    expect(st.dropped_total + st.pending_records).toBe(70);
    expect(st.dropped_total).toBeGreaterThan(0);
    expect((await seqsOf(b))[0]).toBe(st.dropped_total);
    await b.close();
  });

  it('skips and counts a torn tail once, and keeps appending after it', async () => {
    let b = await open();
    await b.append(range(0, 5));
    await b.close();
    const seg = join(dir, segments().at(-1)!);
    truncateSync(seg, statSync(seg).size - 3); // kill -9 in the middle of the last record
    b = await open();
    expect(b.stats()).toMatchObject({ pending_records: 4, corrupt_total: 1 });
    await b.append(range(5, 2));
    await b.close();
    b = await open();
    expect(b.stats()).toMatchObject({ pending_records: 6, corrupt_total: 1 });
    expect(await seqsOf(b)).toEqual([0, 1, 2, 3, 5, 6]);
    await b.close();
  });

  it('skips a record whose checksum fails and keeps the ones after it', async () => {
    let b = await open();
    await b.append(range(0, 5));
    await b.close();
    const seg = join(dir, segments().at(-1)!);
    const fd = openSync(seg, 'r+');
    const header = Buffer.alloc(4);
    readSync(fd, header, 0, 4, 0);
    const second = 8 + header.readUInt32BE(0); // start of record 1
    writeSync(fd, Buffer.from('X'), 0, 1, second + 30); // flip a payload byte
    closeSync(fd);
    b = await open();
    expect(b.stats()).toMatchObject({ pending_records: 4, corrupt_total: 1 });
    expect(await seqsOf(b)).toEqual([0, 2, 3, 4]);
    await b.close();
  });

  it('counts rejected samples and removes them', async () => {
    const b = await open();
    await b.append(range(0, 3));
    const p = await b.peek(10, 1_000_000);
    await b.ack(p.end, { rejected: p.samples.length });
    expect(b.stats()).toMatchObject({ pending_records: 0, rejected_total: 3 });
    await b.close();
  });
});
