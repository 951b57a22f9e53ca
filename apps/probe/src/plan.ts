import { detectPinger } from './checks/pinger.ts';
import type { ProbeConfig } from './config.ts';

/** What `--check` prints: the resolved config without secrets. */
export function describePlan(config: ProbeConfig): Record<string, unknown> {
  const pinger = detectPinger();
  return {
    node: config.node,
    api_endpoint: config.api_endpoint,
    api_key: config.api_key ? 'set' : 'missing',
    icmp_tool: pinger ? pinger.path : 'none found (icmp checks will fail)',
    buffer: config.buffer,
    push: config.push,
    metrics_listen: config.metrics_listen ?? null,
    concurrency: config.concurrency,
    targets: config.targets.map((t) => ({
      name: t.name,
      kind: t.kind,
      target: t.series,
      every_s: t.interval_seconds,
      timeout_ms: t.timeout_ms,
      ...(t.kind === 'icmp' ? { count: t.icmp.count } : {}),
    })),
  };
}
