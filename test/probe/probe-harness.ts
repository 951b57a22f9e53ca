import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The project's CLI, run as a child process exactly as an operator runs it. */
export const FIBERSTACK_BIN = join(import.meta.dirname, '..', '..', 'apps', 'cli', 'bin', 'fiberstack.js');

/** A pino JSON line of the probe. */
export type LogLine = Record<string, unknown> & { msg?: string };

/**
 * Loopback targets for the probe: one HTTP server answering `/t<i>` and `tcpCount` TCP
 * listeners. Every request / accepted connection is counted per series, so the test knows
 * independently of the probe how many rounds reached each target.
 */
export interface LoopbackTargets {
  /** probe.yaml `targets:` entries (YAML flow mappings); timeout below the interval. */
  yaml: (intervalSeconds: number, timeoutMs?: number) => string;
  /** The series names the probe will report (sample `target`). */
  series: string[];
  hits: Map<string, number>;
  totalHits(): number;
  close(): Promise<void>;
}

export async function startLoopbackTargets(httpCount: number, tcpCount: number): Promise<LoopbackTargets> {
  const hits = new Map<string, number>();
  const bump = (key: string) => hits.set(key, (hits.get(key) ?? 0) + 1);
  const http: Server = createHttpServer((req, res) => {
    bump(`http:${req.url}`);
    res.end('ok');
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const httpPort = (http.address() as { port: number }).port;
  const tcp: TcpServer[] = [];
  const tcpPorts: number[] = [];
  for (let i = 0; i < tcpCount; i++) {
    const server = createTcpServer((socket) => {
      bump(`tcp:${tcpPorts[i]}`);
      socket.on('error', () => {});
      socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    tcp.push(server);
    tcpPorts.push((server.address() as { port: number }).port);
  }
  const httpSeries = Array.from({ length: httpCount }, (_, i) => `http://127.0.0.1:${httpPort}/t${i}`);
  const tcpSeries = tcpPorts.map((p) => `127.0.0.1:${p}`);
  for (let i = 0; i < httpCount; i++) hits.set(`http:/t${i}`, 0);
  for (const p of tcpPorts) hits.set(`tcp:${p}`, 0);
  return {
    series: [...httpSeries, ...tcpSeries],
    yaml: (interval, timeout = 2000) =>
      [...httpSeries.map((u) => `http, target: "${u}"`), ...tcpSeries.map((t) => `tcp, target: "${t}"`)]
        .map((t) => `  - { kind: ${t}, interval_seconds: ${interval}, timeout_ms: ${timeout} }`)
        .join('\n'),
    hits,
    totalHits: () => [...hits.values()].reduce((a, b) => a + b, 0),
    async close() {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await Promise.all(tcp.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}

/** One `fiberstack probe --config …` child process; its JSON log lines are parsed and kept. */
export class ProbeProcess {
  child: ChildProcess | undefined;
  readonly lines: LogLine[] = [];
  readonly raw: string[] = [];
  private listeners = new Set<(line: LogLine) => void>();

  constructor(
    readonly configPath: string,
    readonly env: Record<string, string> = {},
  ) {}

  start(): void {
    const child = spawn(process.execPath, [FIBERSTACK_BIN, 'probe', '--config', this.configPath], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (text) => {
        this.raw.push(text);
        let line: LogLine;
        try {
          line = JSON.parse(text) as LogLine;
        } catch {
          line = { msg: text };
        }
        this.lines.push(line);
        for (const fn of this.listeners) fn(line);
      });
    }
  }

  get running(): boolean {
    const c = this.child;
    return !!c && c.exitCode === null && c.signalCode === null;
  }

  onLine(fn: (line: LogLine) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Resolves with the first line (already seen or new) whose msg is `msg`. */
  waitFor(msg: string, timeoutMs = 60_000): Promise<LogLine> {
    const seen = this.lines.find((l) => l.msg === msg);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`probe: no "${msg}" within ${timeoutMs} ms:\n${this.raw.slice(-20).join('\n')}`));
      }, timeoutMs);
      const off = this.onLine((l) => {
        if (l.msg !== msg) return;
        clearTimeout(timer);
        off();
        resolve(l);
      });
      this.child?.once('exit', () => {
        clearTimeout(timer);
        off();
        reject(new Error(`probe exited before "${msg}":\n${this.raw.slice(-20).join('\n')}`));
      });
    });
  }

  /** Sends the signal and resolves with the exit code/signal. */
  async kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const c = this.child;
    if (!c || !this.running) return { code: c?.exitCode ?? null, signal: c?.signalCode ?? null };
    const exited = once(c, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    c.kill(signal);
    const [code, sig] = await exited;
    return { code, signal: sig };
  }
}

/** Reads one Prometheus text exposition into name{labels} → value. */
export async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitUntil(cond: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await sleep(200);
  }
}
