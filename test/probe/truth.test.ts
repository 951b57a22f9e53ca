import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Sample } from '@fiberstack/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Truth: what the probe's real check modules measure against a known network.
// ICMP runs inside network namespaces made here (veth pair, iptables drop in the target's
// namespace); HTTP against a loopback server with a known delay. Runtime ≈ 15 s.

const run = promisify(execFile);
const FIXTURE = join(import.meta.dirname, 'once-rounds.fixture.ts');
const tag = `${process.pid % 100_000}${Math.floor(Math.random() * 1000)}`;
const NS_PROBE = `fsprobe${tag}`;
const NS_HOST = `fshost${tag}`;
const VETH_PROBE = `fsp${tag}`.slice(0, 15);
const VETH_HOST = `fsh${tag}`.slice(0, 15);
const PROBE_IP = '10.201.7.1';
const HOST_IP = '10.201.7.2';
const dir = mkdtempSync(join(tmpdir(), 'fiberstack-probe-truth-'));

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const inHost = (...args: string[]) =>
  execFileSync('ip', ['netns', 'exec', NS_HOST, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

/** Runs `rounds` rounds of every target of `yaml` (the probe's --once path) and returns the samples. */
async function rounds(yaml: string, n: number, netns?: string): Promise<Sample[]> {
  const config = join(dir, `probe-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(config, yaml);
  const node = [process.execPath, '--import', 'tsx', FIXTURE, config, String(n)];
  const [cmd, ...args] = netns ? ['ip', 'netns', 'exec', netns, ...node] : node;
  const { stdout } = await run(cmd!, args, { maxBuffer: 16 << 20, timeout: 120_000 });
  return JSON.parse(stdout) as Sample[];
}

const header = `node_id: probe-truth-01
region: Test
country: GH
api_endpoint: http://127.0.0.1:9/api/push
targets:
`;

/** Smallest k with P(X ≤ k) ≥ q for X ~ Binomial(n, p) (exact, iterative pmf). */
function binomialQuantile(n: number, p: number, q: number): number {
  let pmf = (1 - p) ** n;
  let cdf = pmf;
  for (let k = 0; k < n; k++) {
    if (cdf >= q) return k;
    pmf *= ((n - k) / (k + 1)) * (p / (1 - p));
    cdf += pmf;
  }
  return n;
}

beforeAll(() => {
  ip('netns', 'add', NS_PROBE);
  ip('netns', 'add', NS_HOST);
  ip('link', 'add', VETH_PROBE, 'type', 'veth', 'peer', 'name', VETH_HOST);
  ip('link', 'set', VETH_PROBE, 'netns', NS_PROBE);
  ip('link', 'set', VETH_HOST, 'netns', NS_HOST);
  ip('-n', NS_PROBE, 'addr', 'add', `${PROBE_IP}/30`, 'dev', VETH_PROBE);
  ip('-n', NS_HOST, 'addr', 'add', `${HOST_IP}/30`, 'dev', VETH_HOST);
  for (const [ns, dev] of [
    [NS_PROBE, VETH_PROBE],
    [NS_HOST, VETH_HOST],
  ] as const) {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'link', 'set', dev, 'up');
  }
});

afterAll(() => {
  // Deleting a namespace removes its veth end, which removes the pair.
  for (const ns of [NS_PROBE, NS_HOST]) {
    try {
      ip('netns', 'del', ns);
    } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('ICMP loss through the probe, in network namespaces', () => {
  const PINGS = 50;
  const ROUNDS = 10;
  const icmp = `${header}  - { kind: icmp, target: ${HOST_IP}, timeout_ms: 500, options: { count: ${PINGS}, interval_ms: 20 } }\n`;

  it('no drop: 10 rounds of 50 pings lose nothing', async () => {
    const samples = await rounds(icmp, ROUNDS, NS_PROBE);
    expect(samples).toHaveLength(ROUNDS);
    for (const s of samples) {
      expect(s).toMatchObject({ check: 'icmp', target: HOST_IP, packet_loss: 0, uptime_pct: 100 });
      expect(s.latency_ms).toBeGreaterThan(0);
    }
  }, 60_000);

  it('iptables drops 20 % of echo requests at random: the probe counts exactly the kernel drops, inside the binomial interval', async () => {
    inHost(
      'iptables',
      '-A',
      'INPUT',
      '-p',
      'icmp',
      '--icmp-type',
      'echo-request',
      '-m',
      'statistic',
      '--mode',
      'random',
      '--probability',
      '0.2',
      '-j',
      'DROP',
    );
    const samples = await rounds(icmp, ROUNDS, NS_PROBE);
    // What the kernel dropped, read from the rule's own counter.
    const counters = inHost('iptables', '-L', 'INPUT', '-v', '-n', '-x').toString();
    const dropped = Number(/^\s*(\d+)\s+\d+\s+DROP/m.exec(counters)?.[1]);
    expect(samples).toHaveLength(ROUNDS);
    const n = ROUNDS * PINGS;
    const lost = samples.reduce((sum, s) => sum + (s.packet_loss / 100) * PINGS, 0);
    const lo = binomialQuantile(n, 0.2, 0.005);
    const hi = binomialQuantile(n, 0.2, 0.995);
    const inside99 = Math.round(lost) >= lo && Math.round(lost) <= hi;
    process.stdout.write(
      `icmp 20 % drop: per round ${samples.map((s) => s.packet_loss).join(' ')} %; ` +
        `total ${lost}/${n} = ${((lost / n) * 100).toFixed(1)} %; 99 % interval [${lo}, ${hi}] ${inside99 ? 'inside' : 'OUTSIDE'}; iptables dropped ${dropped}\n`,
    );
    // The truth: the probe reports exactly the drops the kernel made (replies are never dropped).
    expect(Math.round(lost)).toBe(dropped);
    // The kernel's random drops land outside the 99 % interval in 1 run of 100 by definition
    // (seen here: 73/500), so the suite asserts the 99.99 % interval (1 run in 10,000) and
    // prints the 99 % verdict; a probe that misses or invents losses fails the line above.
    expect(Math.round(lost)).toBeGreaterThanOrEqual(binomialQuantile(n, 0.2, 0.00005));
    expect(Math.round(lost)).toBeLessThanOrEqual(binomialQuantile(n, 0.2, 0.99995));
    for (const s of samples) expect(s.uptime_pct).toBe(100);
  }, 60_000);
});

describe('HTTP latency through the probe', () => {
  const DELAY_MS = 150;
  let server: Server;
  let port: number;
  const held: number[] = [];

  beforeAll(async () => {
    // Answers every request exactly DELAY_MS after it arrived (headers and body at once).
    server = createServer((_req, res) => {
      const t = performance.now();
      setTimeout(() => {
        held.push(performance.now() - t);
        res.end('ok');
      }, DELAY_MS);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('a loopback target delaying its answer by 150 ms measures 150 ms ± 10 ms', async () => {
    const yaml = `${header}  - { kind: http, target: "http://127.0.0.1:${port}/slow", timeout_ms: 5000 }\n`;
    const samples = await rounds(yaml, 10);
    expect(samples).toHaveLength(10);
    process.stdout.write(
      `http ${DELAY_MS} ms: probe latency_ms ${samples.map((s) => s.latency_ms).join(' ')}; ` +
        `server held ${held.map((h) => h.toFixed(1)).join(' ')}\n`,
    );
    const sorted = samples.map((s) => s.latency_ms).sort((a, b) => a - b);
    const median = (sorted[4]! + sorted[5]!) / 2;
    expect(Math.abs(median - DELAY_MS)).toBeLessThanOrEqual(10);
    for (const s of samples) {
      expect(s).toMatchObject({ check: 'http', http_status: 200, uptime_pct: 100, packet_loss: 0 });
      // Never less than the delay the server really held; on a loaded machine a round can
      // be a few ms late (the client process waiting for a CPU), never tens of ms.
      expect(s.http?.ttfb_ms).toBeGreaterThanOrEqual(Math.min(...held) - 1);
      expect(s.latency_ms).toBeLessThanOrEqual(DELAY_MS + 30);
    }
  }, 60_000);
});
