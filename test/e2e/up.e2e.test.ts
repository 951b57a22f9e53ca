import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FiberstackUp, freePort, runCli } from './fiberstack-process.ts';

const blueprintBody = () => ({
  node_id: 'probe-gh-accra-01',
  country: 'GH',
  region: 'Ghana',
  latency_ms: 45.2,
  uptime_pct: 99.5,
  packet_loss: 0.1,
  timestamp: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(),
});

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('fiberstack up (all-in-one)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fiberstack-up-'));
  let server: FiberstackUp;
  let key = '';

  beforeAll(async () => {
    server = new FiberstackUp(await freePort(), dataDir, { ETL_ROLLUP_INTERVAL_S: '1' });
    await server.start();
  }, 90_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the admin token with mode 0600 and prints how to make a probe key', () => {
    expect(statSync(join(dataDir, 'admin-token')).mode & 0o777).toBe(0o600);
    expect(server.output).toContain('keys create --node');
  });

  it('creates a probe key with `keys create`', async () => {
    const res = await runCli([
      'keys',
      'create',
      '--node',
      'probe-gh-accra-01',
      '--json',
      '--data-dir',
      dataDir,
      '--api',
      server.base,
    ]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    key = (JSON.parse(res.stdout) as { key: string }).key;
    expect(key).toMatch(/^fsk_/);
  });

  it("answers the blueprint's push with its 202 body and shows it in metrics, hourly too, and after SIGKILL", async () => {
    const body = blueprintBody();
    const res = await fetch(`${server.base}/api/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(accepted).sort()).toEqual(['message_id', 'queued', 'status']);
    expect(accepted).toMatchObject({ status: 'accepted', queued: true });
    expect(accepted.message_id).toMatch(/^[0-9a-f-]{36}$/);

    const start = new Date(Date.now() - 3 * 3600_000).toISOString();
    const end = new Date(Date.now() + 3600_000).toISOString();
    const metrics = (aggregation: string) =>
      fetch(
        `${server.base}/api/metrics?node_id=probe-gh-accra-01&start=${start}&end=${end}&aggregation=${aggregation}`,
      ).then((r) => r.json() as Promise<{ data: { time: string; latency_ms: number }[] }>);

    const t0 = Date.now();
    const raw = await until(
      'the raw sample',
      async () => {
        const m = await metrics('raw');
        return m.data.length ? m : undefined;
      },
      5_000,
    );
    process.stdout.write(`push → visible in /api/metrics: ${Date.now() - t0} ms\n`);
    expect(raw.data).toHaveLength(1);
    expect(raw.data[0]).toMatchObject({
      time: body.timestamp,
      latency_ms: 45.2,
      uptime_pct: 99.5,
      packet_loss: 0.1,
    });

    // The same sample again (same node, target, check, time) is accepted and stays one row.
    const again = await fetch(`${server.base}/api/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
    expect(again.status).toBe(202);
    await until(
      'the re-sent entry to be consumed',
      async () => {
        const s = (await (await fetch(`${server.base}/api/status`)).json()) as { queue: { depth: number } };
        return s.queue.depth === 0 ? true : undefined;
      },
      5_000,
    );
    expect((await metrics('raw')).data).toHaveLength(1);

    const hourly = await until(
      'the hourly rollup',
      async () => {
        const m = await metrics('hourly');
        return m.data.length ? m : undefined;
      },
      15_000,
    );
    expect(hourly.data[0]?.latency_ms).toBeCloseTo(45.2);

    await server.stop('SIGKILL');
    await server.start();
    const after = await metrics('raw');
    expect(after.data).toHaveLength(1);
    expect(after.data[0]?.time).toBe(body.timestamp);
  }, 120_000);
});

describe('fiberstack command errors', () => {
  it('rejects an unknown flag with usage', async () => {
    const res = await runCli(['up', '--bogus']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/Unknown option '--bogus'/);
  });

  it('refuses a data directory it cannot create', async () => {
    // A regular file where a parent directory should be (root ignores permission bits).
    const dir = mkdtempSync(join(tmpdir(), 'fiberstack-nodir-'));
    writeFileSync(join(dir, 'file'), '');
    try {
      const res = await runCli(['up', '--data-dir', join(dir, 'file', 'data')]);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/data directory .* is not writable \(ENOTDIR\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says so when the port is busy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fiberstack-busy-'));
    const first = new FiberstackUp(await freePort(), dir);
    await first.start();
    const otherDir = mkdtempSync(join(tmpdir(), 'fiberstack-busy2-'));
    try {
      const res = await runCli(['up', '--port', String(first.port), '--data-dir', otherDir]);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/already in use/);
    } finally {
      await first.stop();
      rmSync(dir, { recursive: true, force: true });
      rmSync(otherDir, { recursive: true, force: true });
    }
  }, 90_000);
});
