import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { procStats } from '../proc-stats.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BUNDLE_SCRIPT = join(ROOT, 'apps', 'probe', 'scripts', 'bundle.mjs');
const TSX_ENTRY = join(ROOT, 'apps', 'probe', 'bin', 'fiberstack-probe.js');

interface Run {
  targets: number;
  child: ChildProcess;
  rss: number[];
  cpu0: number;
  children0: number;
  t0: number;
}

/** utime+stime of waited-for children (fping), from /proc/<pid>/stat fields 16–17. */
function childCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

/**
 * The probe's footprint: a real probe process (the deployable bundle by default, or the
 * TypeScript entry through tsx) measuring N loopback targets — 40 % icmp (fping to
 * 127.0.0.x), 40 % http, 20 % tcp — every `interval` seconds and pushing to a local 202
 * receiver. Samples RSS every 5 s and CPU over the whole window (after start-up), for each
 * target count at once (separate processes). Figures: RSS avg/max, CPU % of one core of the
 * probe process, and with its fping children.
 */
export async function probeScenario(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      targets: { type: 'string', default: '100,1000' },
      interval: { type: 'string', default: '60' },
      minutes: { type: 'string', default: '10' },
      entry: { type: 'string', default: 'bundle' },
      // As deployed (deploy/systemd, deploy/docker/probe.Dockerfile, which say what each is
      // for); `--node-flags=` / `--env=` for none.
      'node-flags': { type: 'string', default: '--lite-mode --no-icu-timezone-data --expose-gc' },
      env: { type: 'string', default: 'MALLOC_ARENA_MAX=2' },
    },
  });
  const counts = values.targets.split(',').map(Number);
  const intervalS = Number(values.interval);
  const durationMs = Number(values.minutes) * 60_000;
  const entry = values.entry;
  const dir = mkdtempSync(join(tmpdir(), 'fiberstack-bench-probe-'));
  const nodeFlags = values['node-flags'].split(/\s+/).filter(Boolean);
  const env = Object.fromEntries(
    values.env
      .split(/\s+/)
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const servers: Array<Server | TcpServer> = [];
  const runs: Run[] = [];
  try {
    let script = TSX_ENTRY;
    if (entry === 'bundle') {
      script = join(dir, 'fiberstack-probe.mjs'); // its chunks are written next to it
      execFileSync(process.execPath, [BUNDLE_SCRIPT, script], { stdio: 'ignore' });
    } else if (entry !== 'tsx') throw new Error('--entry bundle|tsx');

    // The push API: a receiver answering 202.
    let accepted = 0;
    const api = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        accepted++;
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"accepted"}');
      });
    });
    const site = createHttpServer((_req, res) => res.end('ok'));
    servers.push(api, site);
    await Promise.all([api, site].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
    const apiPort = (api.address() as { port: number }).port;
    const sitePort = (site.address() as { port: number }).port;
    const maxTcp = Math.ceil(Math.max(...counts) * 0.2);
    const tcpPorts: number[] = [];
    for (let i = 0; i < maxTcp; i++) {
      const s = createTcpServer((sock) => sock.destroy());
      servers.push(s);
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      tcpPorts.push((s.address() as { port: number }).port);
    }

    for (const n of counts) {
      const nIcmp = Math.round(n * 0.4);
      const nTcp = Math.round(n * 0.2);
      const targets: string[] = [];
      for (let i = 0; i < nIcmp; i++) {
        // 127.0.0.0/8 is loopback: every address answers, and each is its own series.
        const host = `127.0.${Math.floor(i / 250)}.${(i % 250) + 2}`;
        targets.push(`{ kind: icmp, target: ${host}, timeout_ms: 1000 }`);
      }
      for (let i = 0; i < nTcp; i++) targets.push(`{ kind: tcp, target: "127.0.0.1:${tcpPorts[i]}" }`);
      for (let i = 0; targets.length < n; i++)
        targets.push(`{ kind: http, target: "http://127.0.0.1:${sitePort}/t${i}" }`);
      const config = join(dir, `probe-${n}.yaml`);
      writeFileSync(
        config,
        `node_id: probe-bench-${n}
region: Bench
country: GH
api_endpoint: http://127.0.0.1:${apiPort}/api/push
api_key: fsk_bench
interval_seconds: ${intervalS}
targets:
${targets.map((t) => `  - ${t}`).join('\n')}
buffer: { dir: ${join(dir, `buffer-${n}`)} }
`,
      );
      const child = spawn(process.execPath, [...nodeFlags, script, '--config', config], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout?.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          if (out.includes('"probe started"')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`probe (${n} targets) exited ${code}:\n${out}`)));
      });
      child.stdout?.resume();
      const pid = child.pid as number;
      runs.push({
        targets: n,
        child,
        rss: [],
        cpu0: procStats(pid).cpuSeconds,
        children0: childCpuSeconds(pid),
        t0: Date.now(),
      });
    }
    process.stdout.write(
      `probe (${entry}${nodeFlags.length ? ` ${nodeFlags.join(' ')}` : ''}${values.env ? ` ${values.env}` : ''}): ${counts.join(' and ')} targets every ${intervalS} s for ${values.minutes} min\n`,
    );
    const started = Date.now();
    let lastPrint = started;
    while (Date.now() - started < durationMs) {
      await new Promise((r) => setTimeout(r, Math.min(5000, durationMs - (Date.now() - started))));
      for (const run of runs) run.rss.push(procStats(run.child.pid as number).rssBytes);
      if (Date.now() - lastPrint >= 60_000 || Date.now() - started >= durationMs) {
        lastPrint = Date.now();
        const row = runs.map((r) => `${r.targets}: ${mib(r.rss.at(-1) ?? 0)} MiB`).join(', ');
        process.stdout.write(`  ${Math.round((Date.now() - started) / 1000)} s — RSS ${row}\n`);
      }
    }
    const figures: Record<string, unknown> = {
      entry,
      node_flags: nodeFlags.join(' '),
      env: values.env,
      interval_s: intervalS,
      minutes: Number(values.minutes),
      pushes_accepted: accepted,
    };
    for (const run of runs) {
      const pid = run.child.pid as number;
      const wall = (Date.now() - run.t0) / 1000;
      const cpu = procStats(pid).cpuSeconds - run.cpu0;
      const kids = childCpuSeconds(pid) - run.children0;
      const avg = run.rss.reduce((a, b) => a + b, 0) / run.rss.length;
      figures[`targets_${run.targets}`] = {
        rss_mib_avg: mib(avg),
        rss_mib_max: mib(Math.max(...run.rss)),
        rss_mib_end: mib(run.rss.at(-1) ?? 0),
        cpu_pct_of_core: Math.round((cpu / wall) * 10_000) / 100,
        cpu_pct_with_fping: Math.round(((cpu + kids) / wall) * 10_000) / 100,
      };
    }
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    return figures;
  } finally {
    for (const run of runs) {
      if (run.child.exitCode === null && run.child.signalCode === null) {
        const exited = new Promise((r) => run.child.once('exit', r));
        run.child.kill('SIGTERM');
        await exited;
      }
    }
    for (const s of servers) {
      if ('closeAllConnections' in s) s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
