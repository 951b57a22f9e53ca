import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitUntil } from './free-port.ts';

export interface RedisServerOptions {
  /** Keep an append-only file in the server's dir (survives kill + restart). */
  appendonly?: boolean;
  appendfsync?: 'everysec' | 'always';
  /** e.g. '64mb'; noeviction applies, so writes fail instead of losing data. */
  maxmemory?: string;
  /** RDB save points, e.g. '60 1'; default none. */
  save?: string;
}

export interface RedisServer {
  url: string;
  port: number;
  /** The server's own temp dir (AOF, RDB, log). */
  dir: string;
  /** The current process id (changes on restart). */
  readonly pid: number;
  /** Stops the server and deletes its dir. Idempotent. */
  stop(): Promise<void>;
  /** Kills the process (SIGKILL by default) and keeps the dir for restart(). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and dir, and waits until it answers PING. */
  restart(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

/** A throwaway redis-server on a free port with its own temp dir; tests may kill it. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'fiberstack-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
  args.push('--save', options.save ?? '', '--daemonize', 'no', '--logfile', join(dir, 'redis.log'));
  args.push('--appendonly', options.appendonly ? 'yes' : 'no');
  if (options.appendfsync) args.push('--appendfsync', options.appendfsync);
  if (options.maxmemory) args.push('--maxmemory', options.maxmemory, '--maxmemory-policy', 'noeviction');

  let child: ChildProcess | null = null;
  let stopped = false;

  async function start(): Promise<void> {
    const proc = spawn('redis-server', args, { stdio: 'ignore' });
    child = proc;
    proc.once('exit', () => {
      if (child === proc) child = null;
    });
    await waitUntil(
      `redis-server on ${port}`,
      async () => child === proc && (await ping(port)),
      START_TIMEOUT_MS,
    );
  }

  async function kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill(signal);
    await exited;
  }

  // Last resort if the test process exits without stop(): never leave a server behind.
  const onExit = () => child?.kill('SIGKILL');
  process.on('exit', onExit);

  try {
    await start();
  } catch (error) {
    process.off('exit', onExit);
    await kill();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return child?.pid ?? -1;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', onExit);
      await kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
    kill,
    async restart() {
      if (stopped) throw new Error('redis server was stopped');
      await kill('SIGTERM');
      await start();
    },
  };
}

/** One PING over a raw socket: true on +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => finish(data.toString().startsWith('+PONG')));
  });
}
