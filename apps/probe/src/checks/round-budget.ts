import type { Target } from './check.types.ts';

/**
 * How long one round of a target may take before it is aborted: the per-attempt timeout,
 * plus for icmp the spacing of its echoes, plus 1 s for the tool to start and exit.
 */
export function roundBudgetMs(target: Target): number {
  if (target.kind === 'icmp') {
    return target.timeout_ms + (target.icmp.count - 1) * target.icmp.interval_ms + 1000;
  }
  return target.timeout_ms;
}
