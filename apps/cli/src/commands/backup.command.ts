import { spawn } from 'node:child_process';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CliError } from '../cli-error.ts';
import { loadProductionConfig } from '../roles/production-config.ts';

const DUMP_SUFFIX = '.dump';
const STDERR_LIMIT = 8192;

/** A libpq target for a child process: the URL without its password, which goes in PGPASSWORD. */
export interface PgTarget {
  /** Connection URI without the password (safe to appear in `ps`). */
  readonly url: string;
  readonly database: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Splits DATABASE_URL so that pg_dump/pg_restore never carry the password on their command line. */
export function pgTarget(databaseUrl: string): PgTarget {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (password) env.PGPASSWORD = password;
  return { url: url.toString(), database, env };
}

/** pg_dump / pg_restore / … from PG_BINDIR when set (e.g. /usr/lib/postgresql/16/bin), else PATH. */
export function pgTool(name: 'pg_dump' | 'pg_restore'): string {
  const dir = process.env.PG_BINDIR;
  return dir ? join(dir, name) : name;
}

/** Runs a PostgreSQL client tool; resolves with its stdout, rejects with a CliError carrying stderr. */
export function runPgTool(bin: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < STDERR_LIMIT) stderr += chunk.toString('utf8');
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT')
        reject(new CliError(`${bin} not found: install the PostgreSQL client (15+) or set PG_BINDIR`, 1));
      else reject(new CliError(`${bin} could not start: ${err.message}`, 1, { cause: err }));
    });
    child.on('close', (code, signal) => {
      if (code === 0) resolvePromise(stdout);
      else {
        const why = signal ? `signal ${signal}` : `exit code ${code}`;
        reject(new CliError(`${bin} failed (${why}): ${stderr.trim().slice(-2000)}`, 1));
      }
    });
  });
}

/** `fiberstack-<db>-20250101T020000123Z.dump`: sorts by time, unique to the millisecond. */
export function backupFileName(database: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `fiberstack-${database.replace(/[^A-Za-z0-9_.-]/g, '_')}-${stamp}${DUMP_SUFFIX}`;
}

/** Deletes the oldest dumps of `database` in dir so that `keep` remain; returns the deleted names. */
export async function pruneBackups(dir: string, database: string, keep: number): Promise<string[]> {
  const prefix = backupFileName(database, new Date(0)).replace(/\d{8}T\d{9}Z\.dump$/, '');
  const pattern = /^\d{8}T\d{9}Z\.dump$/;
  const dumps = (await readdir(dir))
    .filter((name) => name.startsWith(prefix) && pattern.test(name.slice(prefix.length)))
    .sort();
  const doomed = dumps.slice(0, Math.max(0, dumps.length - keep));
  for (const name of doomed) await rm(join(dir, name), { force: true });
  return doomed;
}

/** Flushes a file (or a directory entry) to disk so that a crash after "done" cannot lose it. */
async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** BACKUP_UPLOAD_CMD runs through sh with the dump's path as $1 (e.g. `aws s3 cp "$1" s3://bucket/`). */
function runUploadHook(command: string, file: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('sh', ['-c', command, 'fiberstack-backup-upload', file], { stdio: 'inherit' });
    child.on('error', (err) => reject(new CliError(`upload hook could not start: ${err.message}`, 1)));
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new CliError(`upload hook failed with exit code ${code}; the local dump is kept`, 1));
    });
  });
}

function positiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new CliError(`${name}: must be a whole number from 1 to 10000 (got ${JSON.stringify(raw)})`);
  return n;
}

/**
 * `fiberstack backup`: pg_dump (custom format) of DATABASE_URL (or DB_*) into BACKUP_DIR under a
 * timestamped name, written to a .partial file and renamed when complete; then the optional
 * upload hook; then only the newest BACKUP_KEEP dumps are kept.
 */
export async function backupCommand(args: string[]): Promise<number> {
  const env = process.env;
  const { values } = parseArgs({
    args,
    options: {
      dir: { type: 'string', default: env.BACKUP_DIR || './backups' },
      keep: { type: 'string', default: env.BACKUP_KEEP || '14' },
      'upload-cmd': { type: 'string', default: env.BACKUP_UPLOAD_CMD || '' },
    },
  });
  const keep = positiveInt('--keep / BACKUP_KEEP', values.keep);
  const { databaseUrl } = loadProductionConfig(env);
  const target = pgTarget(databaseUrl);
  const dir = resolve(values.dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });

  const file = join(dir, backupFileName(target.database, new Date()));
  const partial = `${file}.partial`;
  const started = Date.now();
  try {
    await runPgTool(
      pgTool('pg_dump'),
      ['--format=custom', '--compress=6', '--no-password', `--file=${partial}`, `--dbname=${target.url}`],
      target.env,
    );
    await fsyncPath(partial);
    await rename(partial, file);
    await fsyncPath(dir);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  const { size } = await stat(file);
  process.stdout.write(`Backup written: ${file} (${size} bytes, ${Date.now() - started} ms)\n`);
  if (values['upload-cmd']) {
    await runUploadHook(values['upload-cmd'], file);
    process.stdout.write('Upload hook succeeded.\n');
  }
  const removed = await pruneBackups(dir, target.database, keep);
  if (removed.length > 0) process.stdout.write(`Removed ${removed.length} old backup(s), keeping ${keep}.\n`);
  return 0;
}
