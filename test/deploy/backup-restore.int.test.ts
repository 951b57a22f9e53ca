import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SampleRow } from '@fiberstack/db';
import {
  type Db,
  insertApiKey,
  loadSamples,
  openPostgres,
  queryMetrics,
  refreshRollups,
} from '@fiberstack/db';
import {
  createTestDatabase,
  PG_BIN,
  runFiberstack,
  TEST_PG_URL,
  type TestDatabase,
} from '@fiberstack/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const HOUR = 3_600_000;
const start = new Date(Date.UTC(2025, 0, 6, 0, 0, 0));

function rows(node: string, country: string, hours: number, offset: number): SampleRow[] {
  const out: SampleRow[] = [];
  for (let i = 0; i < hours * 6; i++) {
    const time = new Date(start.getTime() + i * 10 * 60_000);
    out.push({
      node_id: node,
      target: 'https://example.org',
      check: 'http',
      time,
      country,
      region: country === 'KE' ? 'Kenya' : 'Nigeria',
      latency_ms: 20 + ((i * 7 + offset) % 31),
      uptime_pct: i % 9 === 0 ? 0 : 100,
      packet_loss: (i % 5) * 0.5,
      jitter_ms: 1.5,
      latency_min_ms: null,
      latency_max_ms: null,
      latency_median_ms: null,
      http_status: 200,
      extra: { seq: i },
      outlier: i % 17 === 0,
      received_at: new Date(time.getTime() + 1500),
    });
  }
  return out;
}

/** Row count of every table in the public schema: the "same data" check after restore. */
async function tableCounts(db: Db): Promise<Record<string, number>> {
  const { rows: tables } = await db.query<{ tablename: string }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
  );
  const counts: Record<string, number> = {};
  for (const { tablename } of tables) {
    const r = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${tablename.replace(/"/g, '""')}"`,
    );
    counts[tablename] = r.rows[0]?.n ?? -1;
  }
  return counts;
}

async function answers(db: Db): Promise<unknown[]> {
  const end = new Date(start.getTime() + 24 * HOUR);
  const out: unknown[] = [];
  for (const node_id of ['probe-ke-nairobi-01', 'probe-ng-lagos-01']) {
    for (const aggregation of ['raw', 'hourly'] as const)
      out.push(await queryMetrics(db, { node_id, start, end, aggregation, limit: 10_000 }));
  }
  return out;
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Runs the real `fiberstack backup|restore` command as a child process with the environment a
 * deployment gives it (DATABASE_URL, BACKUP_*, PG_BINDIR for the PostgreSQL 15 client tools).
 * Resolves with its output; rejects with the output on a non-zero exit.
 */
async function fiberstack(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; out: string }> {
  const out = await runFiberstack(args, { PG_BINDIR: PG_BIN, ...env });
  return { code: 0, out };
}

describe('fiberstack backup and restore', () => {
  const work = mkdtempSync(join(tmpdir(), 'fiberstack-backup-'));
  const dir = join(work, 'backups');
  const uploaded = join(work, 'uploaded');
  let test: TestDatabase;
  let db: Db;
  let dbName: string;
  let countsBefore: Record<string, number>;
  let answersBefore: unknown[];

  beforeAll(async () => {
    test = await createTestDatabase();
    dbName = new URL(test.url).pathname.slice(1);
    await loadSamples(test.db, [
      ...rows('probe-ke-nairobi-01', 'KE', 12, 0),
      ...rows('probe-ng-lagos-01', 'NG', 12, 5),
    ]);
    await refreshRollups(test.db);
    await insertApiKey(test.db, {
      id: 'key-backup-test',
      prefix: 'fsk_backup',
      hash: 'x'.repeat(64),
      node_id: 'probe-ke-nairobi-01',
      label: 'backup test',
    } as Parameters<typeof insertApiKey>[1]);
    countsBefore = await tableCounts(test.db);
    answersBefore = await answers(test.db);
    db = test.db;
  });

  afterAll(async () => {
    await db?.close().catch(() => {});
    // test.db was closed when the database was dropped; remove the restored one directly.
    if (dbName) await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    rmSync(work, { recursive: true, force: true });
  });

  it('has data worth restoring', () => {
    expect(countsBefore.samples).toBe(144);
    expect(countsBefore.samples_hourly).toBeGreaterThanOrEqual(24);
    expect(countsBefore.nodes).toBe(2);
  });

  it('writes timestamped dumps, runs the upload hook and keeps the newest N', async () => {
    const env = { DATABASE_URL: test.url, BACKUP_DIR: dir, BACKUP_KEEP: '2' };
    const hook = `mkdir -p '${uploaded}' && cp "$1" '${uploaded}/'`;
    for (let i = 0; i < 3; i++) {
      const { code, out } = await fiberstack(['backup', '--upload-cmd', hook], env);
      expect(code).toBe(0);
      expect(out).toContain('Backup written');
      await new Promise((r) => setTimeout(r, 5));
    }
    const kept = readdirSync(dir).sort();
    expect(kept).toHaveLength(2);
    for (const name of kept) expect(name).toMatch(new RegExp(`^fiberstack-${dbName}-\\d{8}T\\d{9}Z\\.dump$`));
    expect(readdirSync(uploaded)).toHaveLength(3);
    expect(kept.some((n) => n.endsWith('.partial'))).toBe(false);
  });

  it('refuses without --yes and refuses a file that is not a dump', async () => {
    const dump = join(dir, readdirSync(dir).sort().at(-1) ?? '');
    await expect(fiberstack(['restore', dump], { DATABASE_URL: test.url })).rejects.toThrow(/--yes/);
    const bogus = join(work, 'bogus.dump');
    writeFileSync(bogus, 'not a dump');
    await expect(fiberstack(['restore', bogus, '--yes'], { DATABASE_URL: test.url })).rejects.toThrow(
      /not a pg_dump/,
    );
    expect(await tableCounts(db)).toEqual(countsBefore);
  });

  it('backup → drop the database → restore gives the same row counts and query answers', async () => {
    const dump = join(dir, readdirSync(dir).sort().at(-1) ?? '');
    await db.close();
    await admin(`DROP DATABASE "${dbName}" WITH (FORCE)`);
    const { code, out } = await fiberstack(['restore', dump, '--yes'], { DATABASE_URL: test.url });
    expect(code).toBe(0);
    expect(out).toContain(`Database "${dbName}" did not exist: created it.`);
    expect(out).toContain('Schema is up to date');
    db = await openPostgres({ connectionString: test.url, max: 2 });
    expect(await tableCounts(db)).toEqual(countsBefore);
    expect(await answers(db)).toEqual(answersBefore);
  });

  it('restores over a changed database (--clean) back to the dumped state', async () => {
    const dump = join(dir, readdirSync(dir).sort().at(-1) ?? '');
    await loadSamples(db, rows('probe-ke-mombasa-01', 'KE', 2, 1));
    await db.query(`DELETE FROM samples WHERE node_id = 'probe-ng-lagos-01' AND uptime_pct = 0`);
    expect(await tableCounts(db)).not.toEqual(countsBefore);
    await db.close();
    const { code } = await fiberstack(['restore', dump, '--yes'], { DATABASE_URL: test.url });
    expect(code).toBe(0);
    db = await openPostgres({ connectionString: test.url, max: 2 });
    expect(await tableCounts(db)).toEqual(countsBefore);
    expect(await answers(db)).toEqual(answersBefore);
    expect(existsSync(dump)).toBe(true);
  });

  it('a damaged dump fails and leaves the database as it was (one transaction)', async () => {
    const dump = join(dir, readdirSync(dir).sort().at(-1) ?? '');
    const bytes = readFileSync(dump);
    const torn = join(work, 'torn.dump');
    writeFileSync(torn, bytes.subarray(0, bytes.length - 200));
    await loadSamples(db, rows('probe-ke-kisumu-01', 'KE', 1, 2));
    const changed = await tableCounts(db);
    await expect(fiberstack(['restore', torn, '--yes'], { DATABASE_URL: test.url })).rejects.toThrow(
      /nothing was changed|rolled back/,
    );
    expect(await tableCounts(db)).toEqual(changed);
  });
});
