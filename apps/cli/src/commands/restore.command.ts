import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { migrate, openPostgres } from '@fiberstack/db';
import { CliError } from '../cli-error.ts';
import { loadProductionConfig } from '../roles/production-config.ts';
import { type PgTarget, pgTarget, pgTool, runPgTool } from './backup.command.ts';

/** Custom-format archives (pg_dump -Fc) start with these bytes. */
const ARCHIVE_MAGIC = 'PGDMP';

async function assertArchive(file: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, 2, { cause: err });
  }
  try {
    const head = Buffer.alloc(ARCHIVE_MAGIC.length);
    await handle.read(head, 0, head.length, 0);
    if (head.toString('latin1') !== ARCHIVE_MAGIC)
      throw new CliError(`${file} is not a pg_dump custom-format archive (made by fiberstack backup)`);
  } finally {
    await handle.close();
  }
}

/** Collects a child's stderr (bounded) and resolves with its exit code. */
function finished(child: ReturnType<typeof spawn>, name: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 8192) stderr += chunk.toString('utf8');
    });
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        new CliError(
          err.code === 'ENOENT' ? `${name} not found: install the PostgreSQL client (15+)` : err.message,
          1,
          { cause: err },
        ),
      ),
    );
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stderr: stderr.trim() }));
  });
}

/**
 * Replaces the public schema with the dump's contents in ONE transaction:
 * `pg_restore -f - dump | psql -1 -c 'DROP SCHEMA public CASCADE' -c 'CREATE SCHEMA public' -f -`.
 * A failed restore rolls back and leaves the database as it was. (pg_restore --clean cannot
 * drop the constraints of partitioned tables' partitions, so the schema is dropped instead.)
 */
async function replaceSchema(file: string, target: PgTarget): Promise<void> {
  const dump = spawn(pgTool('pg_restore'), ['--no-owner', '--file=-', file], {
    env: target.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const psqlBin = process.env.PG_BINDIR ? `${process.env.PG_BINDIR}/psql` : 'psql';
  const psql = spawn(
    psqlBin,
    [
      '--no-psqlrc',
      '--quiet',
      '--no-password',
      '--single-transaction',
      '--set=ON_ERROR_STOP=1',
      `--dbname=${target.url}`,
      '--command=DROP SCHEMA IF EXISTS public CASCADE',
      '--command=CREATE SCHEMA public',
      '--file=-',
    ],
    { env: target.env, stdio: ['pipe', 'ignore', 'pipe'] },
  );
  const dumpDone = finished(dump, 'pg_restore');
  const psqlDone = finished(psql, 'psql');
  psql.stdin?.on('error', () => {});
  // psql commits only after its stdin ends: end it when pg_restore succeeded, kill it otherwise.
  dump.stdout?.pipe(psql.stdin as NodeJS.WritableStream, { end: false });
  void psqlDone.then(({ code }) => {
    if (code !== 0) dump.kill('SIGKILL');
  });
  const d = await dumpDone;
  if (d.code !== 0) {
    psql.kill('SIGKILL');
    await psqlDone;
    throw new CliError(`pg_restore failed, nothing was changed: ${d.stderr.slice(-2000)}`, 1);
  }
  psql.stdin?.end();
  const p = await psqlDone;
  if (p.code !== 0) throw new CliError(`restore failed and was rolled back: ${p.stderr.slice(-2000)}`, 1);
}

/** PostgreSQL's error code for "database does not exist". */
const NO_SUCH_DATABASE = '3D000';

/**
 * Connects to the target database; when it does not exist (dropped, or a new server), creates it
 * from the server's `postgres` database first, so that a lost database can be restored directly.
 */
async function openOrCreate(
  databaseUrl: string,
  database: string,
): Promise<Awaited<ReturnType<typeof openPostgres>>> {
  const open = (connectionString: string) =>
    openPostgres({ connectionString, max: 1, applicationName: 'fiberstack-restore' });
  try {
    return await open(databaseUrl);
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code !== NO_SUCH_DATABASE) throw err;
  }
  const maintenance = new URL(databaseUrl);
  maintenance.pathname = '/postgres';
  const admin = await open(maintenance.toString());
  try {
    await admin.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await admin.close();
  }
  process.stdout.write(`Database "${database}" did not exist: created it.\n`);
  return open(databaseUrl);
}

/**
 * `fiberstack restore <file> --yes`: replaces the database's public schema (DATABASE_URL or DB_*)
 * with a `fiberstack backup` dump in one transaction, then applies migrations newer than the dump.
 * A database that no longer exists is created first (the role needs CREATEDB for that).
 * Dumps of a TimescaleDB database are restored between timescaledb_pre_restore() and
 * timescaledb_post_restore(), into an empty database (docs/operations.md, "Restore drill").
 */
export async function restoreCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      yes: { type: 'boolean', default: false },
      'no-migrate': { type: 'boolean', default: false },
    },
  });
  const [fileArg, ...extra] = positionals;
  if (!fileArg || extra.length > 0) throw new CliError('usage: fiberstack restore <file.dump> --yes');
  const file = resolve(fileArg);
  await assertArchive(file);
  const { databaseUrl } = loadProductionConfig(process.env);
  const target = pgTarget(databaseUrl);
  if (!values.yes)
    throw new CliError(
      `restore replaces the contents of database "${target.database}"; run again with --yes to proceed`,
    );

  const listing = await runPgTool(pgTool('pg_restore'), ['--list', file], target.env);
  const timescale = /\bEXTENSION - timescaledb\b/.test(listing);
  const db = await openOrCreate(databaseUrl, target.database);
  const started = Date.now();
  try {
    const restoreArgs = ['--no-owner', '--no-password', '--exit-on-error', `--dbname=${target.url}`];
    if (timescale) {
      const existing = await db.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public' LIMIT 1`);
      if (existing.rowCount > 0)
        throw new CliError(
          `database "${target.database}" is not empty: a TimescaleDB dump restores into a new, empty database`,
        );
      await db.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
      await db.query('SELECT timescaledb_pre_restore()');
      try {
        await runPgTool(pgTool('pg_restore'), [...restoreArgs, file], target.env);
      } finally {
        await db.query('SELECT timescaledb_post_restore()');
      }
    } else {
      await replaceSchema(file, target);
    }
    process.stdout.write(`Restored ${file} into "${target.database}" in ${Date.now() - started} ms.\n`);
    if (!values['no-migrate']) {
      const { applied } = await migrate(db);
      process.stdout.write(
        applied.length ? `Applied ${applied.length} newer migrations.\n` : 'Schema is up to date.\n',
      );
    }
    return 0;
  } finally {
    await db.close();
  }
}
