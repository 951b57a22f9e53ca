import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, waitUntil } from './free-port.ts';

const run = promisify(execFile);

export const PG_BIN = process.env.FIBERSTACK_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PostgresServerOptions {
  /** Database created after start; default 'fiberstack'. */
  database?: string;
  /** fsync off by default: a killed process loses nothing, only an OS crash would. */
  fsync?: boolean;
}

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:<port>/<database> (trust auth). */
  url: string;
  port: number;
  /** The cluster's data directory (inside its own temp dir). */
  dataDir: string;
  /** Stops the cluster (fast shutdown) and deletes its temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Signals the postmaster (SIGKILL by default) and waits until every backend is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the cluster again (crash recovery runs after a kill). */
  start(): Promise<void>;
}

/**
 * A throwaway PostgreSQL cluster: initdb + pg_ctl into a temp dir on a free port. As root the
 * binaries run as the `postgres` user (PostgreSQL refuses root), with the dir chowned to it.
 */
export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const database = options.database ?? 'fiberstack';
  const port = await freePort();
  const root = await mkdtemp(join(tmpdir(), 'fiberstack-pg-'));
  const dataDir = join(root, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(root, Number(stdout.trim()), Number(gid.trim()));
  }
  const pgRun = (bin: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args])
      : run(join(PG_BIN, bin), args);
  const settings = [
    `-p ${port}`,
    `-k ${root}`,
    '-c listen_addresses=127.0.0.1',
    `-c fsync=${options.fsync ? 'on' : 'off'}`,
    '-c max_connections=100',
  ].join(' ');
  let stopped = false;
  let lastPid: number | null = null;
  // Last resort if the test process exits without stop(): never leave a cluster behind.
  const onExit = () => {
    if (lastPid !== null && alive(lastPid)) process.kill(lastPid, 'SIGQUIT');
  };
  process.on('exit', onExit);

  async function start(): Promise<void> {
    await pgRun('pg_ctl', [
      '-D',
      dataDir,
      '-l',
      join(root, 'postgres.log'),
      '-o',
      settings,
      '-w',
      '-t',
      '30',
      'start',
    ]);
  }

  async function postmasterPid(): Promise<number | null> {
    const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => null);
    const pid = Number(text?.split('\n')[0]);
    const running = Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null;
    if (running !== null) lastPid = running;
    return running;
  }

  async function kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const pid = await postmasterPid();
    if (pid === null) return;
    process.kill(pid, signal);
    await waitUntil('postgres to exit', async () => !alive(pid), 30_000);
    // Backends notice the postmaster's death and exit; a restart needs their shared memory gone.
    await waitUntil('postgres backends to exit', async () => !(await anyProcessUsing(dataDir)), 30_000);
  }

  try {
    await pgRun('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
    await start();
    const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    process.off('exit', onExit);
    await kill().catch(() => {});
    await rm(root, { recursive: true, force: true });
    throw new Error('cannot start a throwaway PostgreSQL', { cause: error });
  }

  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', onExit);
      if ((await postmasterPid()) !== null) {
        await pgRun('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']).catch(() => kill());
      }
      await kill();
      await rm(root, { recursive: true, force: true });
    },
    kill,
    async start() {
      if (stopped) throw new Error('postgres server was stopped');
      if ((await postmasterPid()) === null) await start();
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True while any process (postmaster or orphaned backend) still runs in this cluster's dir. */
async function anyProcessUsing(dataDir: string): Promise<boolean> {
  const pids = await readdir('/proc').catch(() => [] as string[]);
  for (const pid of pids) {
    if (!/^\d+$/.test(pid)) continue;
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => null);
    if (cwd === dataDir) return true;
  }
  return false;
}
