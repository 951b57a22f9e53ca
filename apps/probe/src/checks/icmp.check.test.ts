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
});
