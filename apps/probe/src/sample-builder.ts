import { Limits, type Sample } from '@fiberstack/contracts';
import type { CheckResult, Target } from './checks/check.types.ts';
import { roundStats } from './checks/stats.ts';

export interface NodeIdentity {
  node_id: string;
  country: string;
  region: string;
}

function clampMs(value: number): number {
  return Math.min(Limits.apiMaxLatencyMs, Math.max(0, Math.round(value * 1000) / 1000));
}

/**
 * One check round → one Sample with exactly the contract's fields.
 * - latency_ms: mean of the answered attempts; 0 when nothing answered (read uptime_pct
 *   and packet_loss first: a silent round has uptime 0 and loss 100).
 * - uptime_pct: 100 when the round succeeded (for icmp: at least one echo answered), else 0.
 * - packet_loss: icmp: unanswered echoes / sent; other kinds: 100 when the host did not
 *   answer at all (timeout, unreachable), 0 when it answered (even with an error status).
 * - min/max/median/jitter: icmp only (several attempts per round).
 */
export function buildSample(
  node: NodeIdentity,
  target: Target,
  result: CheckResult,
  startedAt: Date,
  seq?: number,
): Sample {
  const stats = roundStats(result.rtts);
  const sent = Math.max(1, result.sent);
  const loss =
    target.kind === 'icmp'
      ? ((sent - Math.min(sent, result.rtts.length)) / sent) * 100
      : result.reachable
        ? 0
        : 100;
  const sample: Sample = {
    node_id: node.node_id,
    country: node.country,
    region: node.region,
    latency_ms: stats ? clampMs(stats.avg) : 0,
    uptime_pct: result.ok ? 100 : 0,
    packet_loss: Math.round(loss * 100) / 100,
    timestamp: startedAt.toISOString(),
    target: target.series,
    check: target.kind,
  };
  if (seq !== undefined) sample.seq = seq;
  if (target.kind === 'icmp' && stats) {
    sample.jitter_ms = clampMs(stats.jitter);
    sample.latency_min_ms = clampMs(stats.min);
    sample.latency_max_ms = clampMs(stats.max);
    sample.latency_median_ms = clampMs(stats.median);
  }
  if (result.http_status !== undefined) sample.http_status = result.http_status;
  if (result.http) {
    const h: NonNullable<Sample['http']> = {};
    for (const [k, v] of Object.entries(result.http) as Array<[keyof typeof h, number | undefined]>) {
      if (v !== undefined) h[k] = clampMs(v);
    }
    sample.http = h;
  }
  if (result.tls_days_left !== undefined) sample.tls_days_left = result.tls_days_left;
  return sample;
}
