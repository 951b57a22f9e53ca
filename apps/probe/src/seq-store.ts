import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './buffer/atomic-file.ts';

const BLOCK = 1000;

/**
 * Monotonic sequence per series (node, target, check), persisted with a high-water mark:
 * the file records the end of a reserved block, rewritten once per BLOCK numbers. After a
 * crash numbering resumes at the reserved end, so a number is never reused (gaps allowed).
 */
export class SeqStore {
  private next = new Map<string, number>();
  private reserved = new Map<string, number>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly path: string) {}

  static async open(dir: string): Promise<SeqStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const store = new SeqStore(join(dir, 'seq.json'));
    try {
      const data = JSON.parse(await readFile(store.path, 'utf8')) as Record<string, number>;
      for (const [k, v] of Object.entries(data)) {
        if (Number.isSafeInteger(v) && v >= 0) {
          store.next.set(k, v);
          store.reserved.set(k, v);
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new Error('cannot read seq.json', { cause: err });
    }
    return store;
  }

  /** The next number of `series`; persists a new reservation when the block is used up. */
  async take(series: string): Promise<number> {
    const n = this.next.get(series) ?? 0;
    this.next.set(series, n + 1);
    if (n + 1 > (this.reserved.get(series) ?? 0)) {
      this.reserved.set(series, n + BLOCK);
      const snapshot = JSON.stringify(Object.fromEntries(this.reserved));
      this.writing = this.writing.then(() => writeFileAtomic(this.path, snapshot));
      await this.writing;
    }
    return n;
  }
}
