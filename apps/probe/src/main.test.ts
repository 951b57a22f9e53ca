import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PushBatch, Sample } from '@fiberstack/contracts';
import { freePort, waitUntil } from '@fiberstack/testing';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from './push/mock-receiver.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', 'bin', 'fiberstack-probe.js');
let dir: string;
let server: Server;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'probe-main-'));
  server = createServer((_req, res) => res.end('fiberstack ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  writeFileSync(
    join(dir, 'probe.yaml'),
    `node_id: probe-gh-accra-01
region: Greater Accra
country: GH
api_endpoint: http://127.0.0.1:9/api/push
targets:
  - { kind: icmp, target: 127.0.0.1, options: { count: 3, interval_ms: 50 } }
  - { kind: tcp, target: "127.0.0.1:${port}" }
  - { kind: http, target: "http://localhost:${port}/", options: { keyword: fiberstack } }
  - { kind: dns, target: localhost }
buffer: { dir: ${join(dir, 'buf')} }
`,
  );
});
let bundling: Promise<string> | undefined;
/** Builds the bundle (entry + chunks in dir/dist) once, for the tests that run it. */
function bundle(): Promise<string> {
  bundling ??= (async () => {
    const out = join(dir, 'dist', 'fiberstack-probe.mjs');
    await run(process.execPath, [join(import.meta.dirname, '..', 'scripts', 'bundle.mjs'), out]);
    return out;
  })();
  return bundling;
}

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('fiberstack-probe command', () => {
  it('--once prints one contract-valid Sample per target as a JSON array', async () => {
    const { stdout } = await run(process.execPath, [bin, '--once', '--config', join(dir, 'probe.yaml')]);
    const samples = JSON.parse(stdout) as unknown[];
    expect(samples).toHaveLength(4);
    for (const s of samples) expect([...Value.Errors(Sample, s)]).toEqual([]);
    expect(samples.map((s) => (s as Sample).check)).toEqual(['icmp', 'tcp', 'http', 'dns']);
    for (const s of samples as Sample[]) expect(s).toMatchObject({ uptime_pct: 100, packet_loss: 0 });
    expect((samples[2] as Sample).http_status).toBe(200);
  });

  it('--check prints the plan without the key; a bad config exits 2 with every error', async () => {
    const { stdout } = await run(process.execPath, [bin, '--check', '--config', join(dir, 'probe.yaml')], {
      env: { ...process.env, FIBERSTACK_PROBE_API_KEY: 'fsk_secret_value' },
    });
    expect(stdout).not.toContain('fsk_secret_value');
    expect(JSON.parse(stdout)).toMatchObject({ api_key: 'set', targets: [{ kind: 'icmp' }, {}, {}, {}] });
    writeFileSync(join(dir, 'bad.yaml'), 'node_id: "x y"\ncountry: ghana\n');
    const err = await run(process.execPath, [bin, '--check', '--config', join(dir, 'bad.yaml')]).catch(
      (e) => e,
    );
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/\/node_id/);
    expect(err.stderr).toMatch(/\/country/);
    expect(err.stderr).toMatch(/\/region/);
  });

  it('bundles into files that run on plain node (the deploy artifact)', async () => {
    const out = await bundle();
    // The entry and its lazily loaded chunks, nothing else.
    expect(readdirSync(join(dir, 'dist')).every((f) => /^fiberstack-probe(-.+)?\.mjs$/.test(f))).toBe(true);
    const { stdout } = await run(process.execPath, [out, '--once', '--config', join(dir, 'probe.yaml')], {
      cwd: tmpdir(), // no node_modules in reach
    });
    const samples = JSON.parse(stdout) as unknown[];
    expect(samples).toHaveLength(4);
    for (const s of samples) expect(Value.Check(Sample, s)).toBe(true);
  });

  it('the bundle in run mode reads its config in a child, then measures, pushes and serves /metrics', async () => {
    const out = await bundle();
    const receiver = await startReceiver(() => ({ status: 202 }));
    const metricsPort = await freePort();
    const config = join(dir, 'run.yaml');
    writeFileSync(
      config,
      `node_id: probe-gh-accra-02
region: Greater Accra
country: GH
api_endpoint: ${receiver.url}
interval_seconds: 2
targets:
  - { kind: icmp, target: 127.0.0.1, options: { count: 3, interval_ms: 50 } }
  - { kind: tcp, target: "127.0.0.1:${port}", timeout_ms: 1000 }
  - { kind: http, target: "http://127.0.0.1:${port}/", timeout_ms: 1000 }
  - { kind: dns, target: localhost, timeout_ms: 1000 }
buffer: { dir: ${join(dir, 'run-buf')} }
push: { linger_ms: 0 }
metrics_listen: "127.0.0.1:${metricsPort}"
`,
    );
    const child = spawn(process.execPath, ['--lite-mode', out, '--config', config], {
      cwd: tmpdir(),
      env: { ...process.env, FIBERSTACK_PROBE_API_KEY: 'fsk_bundle_test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for (const s of [child.stdout, child.stderr])
      s.setEncoding('utf8').on('data', (d: string) => (output += d));
    try {
      const checks = () =>
        new Set(receiver.received.flatMap((r) => (r.body as PushBatch).samples.map((x) => x.check)));
      await waitUntil('a sample of every check pushed', async () => checks().size === 4, 20_000);
      for (const r of receiver.received) {
        expect(Value.Check(PushBatch, r.body)).toBe(true);
        expect(r.headers.authorization).toBe('Bearer fsk_bundle_test');
      }
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(/^fiberstack_probe_rounds_total\{check="http",outcome="ok"\} \d+$/m);
    } finally {
      const exited = child.exitCode === null ? once(child, 'exit') : Promise.resolve([child.exitCode]);
      child.kill('SIGTERM');
      const [code] = await exited;
      await receiver.close();
      expect(code, output).toBe(0);
    }
    expect(output).not.toContain('fsk_bundle_test');
    expect(output).toContain('"probe stopped"');

    // A config error is reported by the child and ends the probe with exit code 2.
    writeFileSync(join(dir, 'bad-run.yaml'), 'node_id: "x y"\n');
    const err = await run(process.execPath, [out, '--config', join(dir, 'bad-run.yaml')]).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/\/node_id/);
  });

  it('reads the first HTTP check of a fresh process like the tenth (warm-up)', async () => {
    // A cold first request is ≈ 10× the median; a warmed one is within noise. Two tries so
    // that a scheduler hiccup on a loaded machine cannot fail it, while a cold start would.
    const fixture = join(import.meta.dirname, 'warmup.fixture.ts');
    const firstIsTypical = async () => {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture]);
      const totals = JSON.parse(stdout) as number[];
      const rest = totals.slice(1).sort((a, b) => a - b);
      const median = rest[Math.floor(rest.length / 2)]!;
      return totals[0]! > 0 && totals[0]! <= Math.max(3 * median, median + 3);
    };
    expect((await firstIsTypical()) || (await firstIsTypical())).toBe(true);
  });
});
