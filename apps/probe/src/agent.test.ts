import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PushBatch, type Sample } from '@fiberstack/contracts';
import { createLogger } from '@fiberstack/logging';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from './agent.ts';
import { loadProbeConfig } from './config.ts';
import { startReceiver } from './push/mock-receiver.ts';

let dir: string;
let site: Server;
let sitePort: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'probe-agent-'));
  site = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  sitePort = (site.address() as { port: number }).port;
});
afterAll(async () => {
  site.closeAllConnections();
  await new Promise<void>((r) => site.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const yaml = (endpoint: string) => `
node_id: probe-gh-accra-01
region: Greater Accra
country: GH
api_endpoint: ${endpoint}
api_key: fsk_agent_test
interval_seconds: 1
targets:
  - { kind: icmp, target: 127.0.0.1, timeout_ms: 200, options: { count: 2, interval_ms: 50 } }
  - { kind: http, target: "http://127.0.0.1:${sitePort}/", timeout_ms: 500 }
buffer: { dir: ${join(dir, 'buf')} }
push: { backoff_base_ms: 50, backoff_cap_ms: 100, linger_ms: 0 }
metrics_listen: "127.0.0.1:0"
`;

describe('agent', () => {
  it('measures on schedule, buffers through an API outage, then delivers every sample in order', async () => {
    let down = true;
    const receiver = await startReceiver(() =>
      down ? { status: 503, headers: { 'retry-after': '0' } } : { status: 202 },
    );
    const log = createLogger({ service: 'probe-test', level: 'silent' });
    const config = loadProbeConfig(yaml(receiver.url));
    let agent = await Agent.create(config, log);
    await agent.start();
    await new Promise((r) => setTimeout(r, 2500));
    await agent.stop();
    await agent.stop(); // idempotent
    // Restart (as after SIGTERM); the buffered samples survive and go out once the API is back.
    down = false;
    agent = await Agent.create(config, log);
    await agent.start();
    await new Promise((r) => setTimeout(r, 1500));
    const metrics = await agent.metrics!.registry.metrics();
    await agent.stop();
    await receiver.close();

    const accepted = receiver.received
      .filter((r) => r.status === 202)
      .flatMap((r) => (r.body as PushBatch).samples);
    for (const r of receiver.received) expect(Value.Check(PushBatch, r.body)).toBe(true);
    const bySeries = new Map<string, Sample[]>();
    for (const s of accepted)
      bySeries.set(`${s.check} ${s.target}`, [...(bySeries.get(`${s.check} ${s.target}`) ?? []), s]);
    expect([...bySeries.keys()].sort()).toEqual([`http http://127.0.0.1:${sitePort}/`, 'icmp 127.0.0.1']);
    for (const series of bySeries.values()) {
      expect(series.length).toBeGreaterThanOrEqual(2);
      // Delivery is at least once (a request that outlives its timeout is sent again and the
      // API's natural key drops the copy); first deliveries come in order. (Sequence numbers
      // are reserved in blocks, so a restart may skip some: order, not contiguity, is checked.)
      const seqs = series.map((s) => s.seq!);
      const firsts = seqs.filter((q, i) => seqs.indexOf(q) === i);
      for (let i = 1; i < firsts.length; i++) expect(firsts[i]).toBeGreaterThan(firsts[i - 1]!);
      expect(series.every((s) => s.uptime_pct === 100)).toBe(true);
    }
    expect(receiver.received.filter((r) => r.status === 503).length).toBeLessThan(60); // no hot loop on Retry-After: 0
    expect(metrics).toMatch(/fiberstack_probe_buffer_pending_samples 0/);
    expect(metrics).toMatch(/fiberstack_probe_push_retries_total \d+/);
  });
});
