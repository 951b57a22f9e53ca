import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildSample } from '../sample-builder.ts';
import { icmpCheck } from './icmp.check.ts';
import { makeTarget } from './make-target.ts';
import { detectPinger } from './pinger.ts';

const node = { node_id: 'probe-test-01', country: 'GH', region: 'Ghana' };

describe('icmp check (system fping)', () => {
  it('uses fping when installed (CI installs it)', () => {
    expect(detectPinger()?.kind).toBe('fping');
    expect(execFileSync(detectPinger()!.path, ['-v']).toString()).toMatch(/fping/i);
  });

  it('pings 127.0.0.1 with no loss and sub-10 ms latency', async () => {
    const target = makeTarget('icmp', '127.0.0.1', { timeout_ms: 1000, icmp: { count: 5, interval_ms: 50 } });
    const result = await icmpCheck.run(target, AbortSignal.timeout(5000));
    expect(result).toMatchObject({ ok: true, sent: 5, reachable: true });
    expect(result.rtts).toHaveLength(5);
    const sample = buildSample(node, target, result, new Date(), 1);
    expect(sample.packet_loss).toBe(0);
    expect(sample.uptime_pct).toBe(100);
    expect(sample.latency_ms).toBeGreaterThan(0);
    expect(sample.latency_ms).toBeLessThan(10);
    expect(sample.latency_min_ms!).toBeLessThanOrEqual(sample.latency_median_ms!);
    expect(sample.latency_median_ms!).toBeLessThanOrEqual(sample.latency_max_ms!);
    expect(sample.jitter_ms).toBeGreaterThanOrEqual(0);
  });

  it('pings ::1 over IPv6', async () => {
    const target = makeTarget('icmp', '::1', { timeout_ms: 1000, icmp: { count: 2, interval_ms: 50 } });
    const result = await icmpCheck.run(target, AbortSignal.timeout(5000));
    expect(result).toMatchObject({ ok: true, sent: 2 });
    expect(result.rtts).toHaveLength(2);
  });

  it('refuses a host that would be read as an fping option', async () => {
    const result = await icmpCheck.run(makeTarget('icmp', '-f/etc/passwd'), AbortSignal.timeout(1000));
    expect(result).toMatchObject({ ok: false, error: 'invalid host', sent: 5 });
  });

  it('is cancelled by its AbortSignal', async () => {
    const target = makeTarget('icmp', '127.0.0.1', {
      timeout_ms: 1000,
      icmp: { count: 50, interval_ms: 100 },
    });
    const t0 = Date.now();
    const result = await icmpCheck.run(target, AbortSignal.timeout(300));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(result).toMatchObject({ ok: false, error: 'timeout' });
  });

  it('measures many hosts with one fping and gives each its own result, in order', async () => {
    const opts = { timeout_ms: 500, icmp: { count: 3, interval_ms: 50 } };
    const targets = ['127.0.0.1', '::1', 'no-such-host.invalid', '-x', '127.0.0.2', '127.0.0.1'].map((h) =>
      makeTarget('icmp', h, opts),
    );
    const results = await icmpCheck.batch!.run(targets, AbortSignal.timeout(5000));
    expect(results.map((r) => r.ok)).toEqual([true, true, false, false, true, true]);
    for (const i of [0, 1, 4, 5])
      expect(results[i]).toMatchObject({ sent: 3, reachable: true, rtts: expect.any(Array) });
    expect(results[0]!.rtts).toHaveLength(3);
    expect(results[2]).toMatchObject({
      sent: 3,
      reachable: false,
      error: expect.stringMatching(/not resolved/),
    });
    expect(results[3]).toMatchObject({ error: 'invalid host' });
    expect(icmpCheck.batch!.key(targets[0]!)).toBe(icmpCheck.batch!.key(targets[1]!));
    expect(icmpCheck.batch!.key(makeTarget('icmp', '127.0.0.1', { ...opts, timeout_ms: 900 }))).not.toBe(
      icmpCheck.batch!.key(targets[0]!),
    );
  });

  it('cancels a shared round as a whole: every host of it times out', async () => {
    const opts = { timeout_ms: 1000, icmp: { count: 50, interval_ms: 100 } };
    const targets = ['127.0.0.1', '127.0.0.2'].map((h) => makeTarget('icmp', h, opts));
    const results = await icmpCheck.batch!.run(targets, AbortSignal.timeout(300));
    expect(results).toMatchObject([
      { ok: false, error: 'timeout' },
      { ok: false, error: 'timeout' },
    ]);
  });
});
