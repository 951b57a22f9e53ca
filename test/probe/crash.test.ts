import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PushBatch } from '@fiberstack/contracts';
import { freePort } from '@fiberstack/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startReceiver } from '../../apps/probe/src/push/mock-receiver.ts';
import {
  type LoopbackTargets,
  ProbeProcess,
  sleep,
  startLoopbackTargets,
  waitUntil,
} from './probe-harness.ts';

// Crash: the real `fiberstack probe` process SIGKILLed 20 times while it buffers (its API
// unreachable), then started once more with the API reachable.
//
// "Acknowledged as buffered" = the probe logged `sample buffered` (LOG_LEVEL=debug) for
// (target, seq). The agent writes that line only after DiskBuffer.append() resolved, i.e.
// after the record's write() and fdatasync() returned: from then on the sample is on disk.
// Pass: every start opens the buffer (`probe starting`), and every acknowledged sample is
// delivered once the API answers — none lost, none twice, each series in order.
// Runtime ≈ 2–3 min (20 process starts of the TypeScript CLI).
const KILLS = 20;
const NODE = 'probe-crash-01';

let targets: LoopbackTargets;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fiberstack-probe-crash-'));
  targets = await startLoopbackTargets(25, 25);
});
afterAll(async () => {
  await targets?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('SIGKILL 20× while buffering: the buffer opens every time and no acknowledged-as-buffered sample is lost', async () => {
  const unreachable = `http://127.0.0.1:${await freePort()}/api/push`; // nothing listens there
  const config = join(dir, 'probe.yaml');
  writeFileSync(
    config,
    `node_id: ${NODE}
region: Loopback
country: GH
api_endpoint: ${unreachable}
api_key: fsk_crash_test
interval_seconds: 1
targets:
${targets.yaml(1, 500)}
buffer: { dir: ${join(dir, 'buffer')}, segment_bytes: 16KiB }
push: { backoff_base_ms: 200, backoff_cap_ms: 1000 }
`,
  );
  const acknowledged = new Set<string>();
  const opened: Array<Record<string, unknown>> = [];
  const env = { LOG_LEVEL: 'debug' };
  for (let i = 0; i < KILLS; i++) {
    const probe = new ProbeProcess(config, env);
    probe.onLine((l) => {
      if (l.msg === 'sample buffered') acknowledged.add(`${l.target} ${l.seq}`);
    });
    probe.start();
    try {
      opened.push(await probe.waitFor('probe starting', 60_000)); // the buffer opened
      await probe.waitFor('probe started', 60_000);
      await sleep(200 + Math.random() * 1300); // ~50 appends/s: the kill lands among writes
      expect(probe.running).toBe(true);
      const { signal } = await probe.kill('SIGKILL');
      expect(signal).toBe('SIGKILL');
    } finally {
      await probe.kill('SIGKILL');
    }
  }

  // Start once more with the API reachable: the buffer opens and drains.
  const receiver = await startReceiver(() => ({ status: 202 }));
  const probe = new ProbeProcess(config, { FIBERSTACK_PROBE_API_ENDPOINT: receiver.url });
  probe.start();
  try {
    const last = await probe.waitFor('probe starting', 60_000);
    opened.push(last);
    const pendingAtOpen = Number(last.pending_records);
    const received = () =>
      receiver.received.flatMap((r) => (r.status === 202 ? (r.body as PushBatch).samples : []));
    await waitUntil(() => received().length >= pendingAtOpen, 60_000, 'backlog delivered');
    await probe.kill('SIGTERM');
    const samples = received();
    const keys = samples.map((s) => `${s.target} ${s.seq}`);
    const delivered = new Set(keys);
    const missing = [...acknowledged].filter((k) => !delivered.has(k));
    const perSeries = new Map<string, number[]>();
    for (const s of samples) {
      const series = s.target ?? '';
      perSeries.set(series, [...(perSeries.get(series) ?? []), s.seq ?? -1]);
    }
    const corrupt = Number(last.corrupt_total);
    process.stdout.write(
      `${JSON.stringify({
        kills: KILLS,
        acknowledged_as_buffered: acknowledged.size,
        pending_at_final_open: pendingAtOpen,
        delivered: samples.length,
        torn_or_corrupt_records_skipped: corrupt,
        missing: missing.length,
      })}\n`,
    );
    expect(opened).toHaveLength(KILLS + 1);
    expect(acknowledged.size).toBeGreaterThan(KILLS * 10);
    expect(pendingAtOpen).toBeGreaterThanOrEqual(acknowledged.size);
    expect(missing).toEqual([]);
    expect(new Set(keys).size).toBe(keys.length); // none twice
    for (const seqs of perSeries.values()) {
      for (let k = 1; k < seqs.length; k++) expect(seqs[k]).toBeGreaterThan(seqs[k - 1]!);
    }
    expect(samples.every((s) => s.node_id === NODE)).toBe(true);
  } finally {
    await probe.kill('SIGKILL');
    await receiver.close();
  }
}, 600_000);
