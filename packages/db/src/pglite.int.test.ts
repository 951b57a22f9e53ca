import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPglite } from './clients/pglite.ts';
import { describeEngine, sample } from './db.suite.ts';
import { migrate } from './migrate.ts';
import { countSamples } from './queries/count-samples.ts';
import { loadSamples } from './queries/load-samples.ts';

describeEngine('PGlite (in memory)', async () => {
  const db = await openPglite();
  return { db, close: () => db.close() };
});

describe('PGlite on disk', () => {
  it('keeps data across reopen', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fs-pglite-'));
    try {
      const first = await openPglite({ dataDir });
      await migrate(first);
      await first.transaction((tx) => loadSamples(tx, [sample('disk-1', new Date(Date.now() - 60_000), 3)]));
      await first.close();
      const second = await openPglite({ dataDir });
      expect(await migrate(second)).toEqual({ applied: [] });
      expect(await countSamples(second, 'disk-1')).toBe(1);
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('PGlite memory', () => {
  it('runs with 32 MB shared_buffers by default and takes another size when asked', async () => {
    const small = await openPglite();
    const custom = await openPglite({ sharedBuffersMb: 8 });
    try {
      const show = async (db: typeof small) =>
        (await db.query<{ shared_buffers: string }>('SHOW shared_buffers', [])).rows[0]?.shared_buffers;
      expect(await show(small)).toBe('32MB');
      expect(await show(custom)).toBe('8MB');
    } finally {
      await small.close();
      await custom.close();
    }
  });
});
