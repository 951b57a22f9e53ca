import type { CheckKind } from '@fiberstack/contracts';
import type { Target } from './check.types.ts';

type TargetOverrides = Partial<Omit<Target, 'http' | 'icmp' | 'dns' | 'tcp'>> & {
  http?: Partial<Target['http']>;
  icmp?: Partial<Target['icmp']>;
  dns?: Partial<Target['dns']>;
  tcp?: Target['tcp'];
};

/** A Target with the same defaults as probe.yaml (for warm-up and tests). */
export function makeTarget(kind: CheckKind, target: string, o: TargetOverrides = {}): Target {
  return {
    name: o.name ?? `${kind}:${target}`,
    kind,
    target,
    series: o.series ?? target,
    interval_seconds: o.interval_seconds ?? 60,
    timeout_ms: o.timeout_ms ?? 2000,
    icmp: { count: 5, interval_ms: 200, ...o.icmp },
    tcp: o.tcp ?? {},
    http: {
      method: 'GET',
      expect_status: [],
      follow_redirects: true,
      max_redirects: 5,
      tls_verify: true,
      ...o.http,
    },
    dns: { record_type: 'A', resolver: 'system', ...o.dns },
  };
}
