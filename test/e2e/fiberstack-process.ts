import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'apps', 'cli', 'bin', 'fiberstack.js');

export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  srv.close();
  await once(srv, 'close');
  return port;
}

/** Runs `fiberstack …` to completion and returns its exit code and output. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d;
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** A `fiberstack up` process on its own port and data directory. */
export class FiberstackUp {
  child: ChildProcess | undefined;
  output = '';
  constructor(
    readonly port: number,
    readonly dataDir: string,
    readonly env: NodeJS.ProcessEnv = {},
    /** Extra `up` arguments, e.g. `--demo`. */
    readonly args: string[] = [],
  ) {}

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const child = spawn(
      process.execPath,
      [BIN, 'up', '--port', String(this.port), '--data-dir', this.dataDir, ...this.args],
      {
        env: { ...process.env, ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => {
      this.output += d;
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.output += d;
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`fiberstack up exited ${child.exitCode}:\n${this.output}`);
      try {
        const res = await fetch(`${this.base}/readyz`);
        if (res.ok) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`fiberstack up not ready after ${timeoutMs} ms:\n${this.output}`);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = once(child, 'exit');
    child.kill(signal);
    const [code] = (await exited) as [number | null];
    this.child = undefined;
    return code;
  }
}
