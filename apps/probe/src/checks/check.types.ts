import type { CheckKind, HttpTimings } from '@fiberstack/contracts';

/** HTTP options of a target (probe.yaml `options` for kind http). */
export interface HttpOptions {
  method: string;
  expect_status: number[];
  keyword?: string;
  follow_redirects: boolean;
  max_redirects: number;
  /** Verify the server certificate (default true). */
  tls_verify: boolean;
  /** Extra CA certificates (PEM text) trusted for this target. */
  ca?: string;
}

export interface DnsOptions {
  record_type: 'A' | 'AAAA' | 'CNAME' | 'MX' | 'NS' | 'TXT' | 'SOA';
  /** `system` uses getaddrinfo (hosts file, nsswitch); otherwise `ip` or `ip:port` of a DNS server. */
  resolver: string;
}

/** One configured check, fully resolved (defaults applied). */
export interface Target {
  name: string;
  kind: CheckKind;
  /** Host, IP, host:port or URL as written in probe.yaml. */
  target: string;
  /** The series key sent as `target` in samples (tcp adds the port). */
  series: string;
  interval_seconds: number;
  timeout_ms: number;
  icmp: { count: number; interval_ms: number };
  tcp: { port?: number };
  http: HttpOptions;
  dns: DnsOptions;
}

/** What one round of a check measured; turned into a Sample by sample-builder.ts. */
export interface CheckResult {
  /** The round succeeded (host answered, assertions held). */
  ok: boolean;
  /** Round-trip or response times of every answered attempt, ms, in order sent. */
  rtts: number[];
  /** Attempts made in the round (echo requests for icmp, 1 otherwise). */
  sent: number;
  /** Whether anything answered at the network level (false → packet_loss 100). */
  reachable: boolean;
  http_status?: number;
  http?: HttpTimings;
  tls_days_left?: number;
  /** Short reason when not ok (logged, never pushed). */
  error?: string;
}

export interface Check {
  kind: CheckKind;
  run(target: Target, signal: AbortSignal): Promise<CheckResult>;
  /** Present when one round can measure many targets at once (one tool process for all). */
  batch?: BatchCheck;
}

/**
 * Measuring several targets in one round. Targets whose `key` is equal (same interval and
 * options) may share a round, up to `max` of them; `key` undefined = never batched.
 */
export interface BatchCheck {
  max: number;
  key(target: Target): string | undefined;
  /** Results in the order of `targets`. */
  run(targets: readonly Target[], signal: AbortSignal): Promise<CheckResult[]>;
  /** How long a round of these targets may take before it is aborted. */
  budgetMs(targets: readonly Target[]): number;
}

export function failed(error: string, sent = 1, reachable = false): CheckResult {
  return { ok: false, rtts: [], sent, reachable, error };
}

/** Milliseconds with microsecond resolution, rounded to 3 decimals. */
export function ms(value: number): number {
  return Math.max(0, Math.round(value * 1000) / 1000);
}
