import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FiberstackUp, freePort } from './fiberstack-process.ts';

describe('/metrics of the all-in-one server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fiberstack-promtool-'));
  let server: FiberstackUp;

  beforeAll(async () => {
    server = new FiberstackUp(await freePort(), dataDir);
    await server.start();
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is accepted by promtool check metrics and carries API and pipeline metrics', async () => {
    const admin = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const created = await fetch(`${server.base}/api/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ node_id: 'probe-ke-nairobi-01' }),
    });
    const { key } = (await created.json()) as { key: string };
    const sample = {
      node_id: 'probe-ke-nairobi-01',
      country: 'KE',
      region: 'Kenya',
      latency_ms: 12,
      uptime_pct: 100,
      packet_loss: 0,
      timestamp: new Date().toISOString(),
    };
    const push = await fetch(`${server.base}/api/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(sample),
    });
    expect(push.status).toBe(202);
    await new Promise((r) => setTimeout(r, 1500));

    const res = await fetch(`${server.base}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const name of [
      'http_requests_total',
      'http_request_duration_seconds',
      'http_requests_inprogress',
      'fiberstack_samples_queued_total',
      'fiberstack_queue_depth',
      'fiberstack_samples_loaded_total',
      'fiberstack_ingest_lag_seconds',
    ]) {
      expect(text, name).toContain(`# TYPE ${name} `);
    }
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    // promtool exits 0 when the format is valid; lint warnings (if any) go to stdout/stderr.
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
  }, 60_000);
});
