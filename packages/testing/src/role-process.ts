import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The project's own command, run as a child process (never imported). */
export const FIBERSTACK_BIN = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'apps',
  'cli',
  'bin',
  'fiberstack.js',
);

const KEEP_LINES = 20_000;
const READY_TIMEOUT_MS = 90_000;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the signal to the exit. */
  ms: number;
}

export type LineListener = (line: string, at: number) => void;

/** One `fiberstack <role>` process that tests may kill and start again. */
export interface RoleProcess {
  readonly name: string;
  /** HTTP port whose /readyz answers 200 once the process is ready. */
  readonly port: number;
  readonly pid: number;
  readonly running: boolean;
  /** Recent output lines (stdout and stderr, pino JSON), oldest first. */
  readonly lines: readonly string[];
  /** Calls fn for every new output line; returns the unsubscribe function. */
  onLine(fn: LineListener): () => void;
  /** Spawns the process (with extra env over the base) and waits until /readyz answers 200. */
  start(env?: Record<string, string>): Promise<void>;
  /** Sends a signal (e.g. SIGSTOP/SIGCONT) to this process only; throws when it is not running. */
  signal(signal: NodeJS.Signals): void;
  /** Sends the signal and waits for the exit. No-op (ms 0) when not running. */
  kill(signal?: NodeJS.Signals): Promise<ExitInfo>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort if the test process exits without stop(): never leave a process behind.
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** Creates (does not start) a role process: `node apps/cli/bin/fiberstack.js <args>`. */
export function createRoleProcess(
  name: string,
  args: string[],
  port: number,
  baseEnv: () => Record<string, string>,
): RoleProcess {
  installExitHook();
  let child: ChildProcess | null = null;
  const lines: string[] = [];
  const listeners = new Set<LineListener>();

  const running = () => child !== null && child.exitCode === null && child.signalCode === null;

  function capture(stream: NodeJS.ReadableStream | null): void {
    if (!stream) return;
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (lines.length > KEEP_LINES) lines.splice(0, lines.length - KEEP_LINES);
      const at = Date.now();
      for (const fn of listeners) fn(line, at);
    });
  }

  async function ready(proc: ChildProcess): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(
          `${name} exited (${proc.exitCode ?? proc.signalCode}):\n${lines.slice(-30).join('\n')}`,
        );
      }
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1_000) })
        .then((res) => res.status === 200)
        .catch(() => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`${name} not ready after ${READY_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    name,
    port,
    get pid() {
      return running() ? (child?.pid ?? -1) : -1;
    },
    get running() {
      return running();
    },
    lines,
    onLine(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async start(env = {}) {
      if (running()) throw new Error(`${name} is already running`);
      const proc = spawn(process.execPath, [FIBERSTACK_BIN, ...args], {
        env: { ...process.env, ...baseEnv(), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      live.add(proc);
      proc.once('exit', () => live.delete(proc));
      capture(proc.stdout);
      capture(proc.stderr);
      try {
        await ready(proc);
      } catch (error) {
        if (running()) proc.kill('SIGKILL');
        throw error;
      }
    },
    signal(signal) {
      // Never through a pid number: a stale or -1 pid could reach other processes.
      if (!child || !running()) throw new Error(`${name} is not running`);
      child.kill(signal);
    },
    async kill(signal = 'SIGKILL') {
      const proc = child;
      if (!proc || !running()) return { code: proc?.exitCode ?? null, signal: null, ms: 0 };
      const started = performance.now();
      const exited = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      proc.kill(signal);
      const [code, sig] = await exited;
      return { code, signal: sig, ms: Math.round(performance.now() - started) };
    },
  };
}

/** Runs `fiberstack <args>` to completion; throws with its output on a non-zero exit. */
export async function runFiberstack(args: string[], env: Record<string, string>): Promise<string> {
  const proc = spawn(process.execPath, [FIBERSTACK_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (d: Buffer) => {
    output += d;
  });
  proc.stderr.on('data', (d: Buffer) => {
    output += d;
  });
  const [code] = (await once(proc, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`fiberstack ${args.join(' ')} exited ${code}:\n${output}`);
  return output;
}
