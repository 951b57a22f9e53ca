import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError } from './cli-error.ts';

export const DEFAULT_DATA_DIR = './.fiberstack';

/** Creates the data directory (mode 0700) or explains why it cannot be used. */
export function prepareDataDir(dir: string): string {
  const abs = resolve(dir);
  try {
    mkdirSync(abs, { recursive: true, mode: 0o700 });
    accessSync(abs, constants.W_OK | constants.R_OK);
  } catch (err) {
    throw new CliError(`data directory ${abs} is not writable (${(err as NodeJS.ErrnoException).code})`, 2, {
      cause: err,
    });
  }
  return abs;
}

/** Reads the admin token, creating it (mode 0600) on first start. */
export function ensureAdminToken(dataDir: string): { token: string; created: boolean; path: string } {
  const path = join(dataDir, 'admin-token');
  try {
    return { token: readFileSync(path, 'utf8').trim(), created: false, path };
  } catch {
    const token = `fsa_${randomBytes(32).toString('base64url')}`;
    writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
    return { token, created: true, path };
  }
}

export function readAdminToken(dataDir: string): string | undefined {
  try {
    return readFileSync(join(resolve(dataDir), 'admin-token'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * One process per data directory: PGlite must never be opened twice. A stale lock (its
 * process gone) is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, 'fiberstack.pid');
  try {
    const pid = Number(readFileSync(path, 'utf8'));
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new CliError(`data directory ${dataDir} is in use by process ${pid} (stop it first)`);
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
  }
  writeFileSync(path, String(process.pid), { mode: 0o600 });
  return () => rmSync(path, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
