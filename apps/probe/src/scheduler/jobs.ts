import type { Target } from '../checks/check.types.ts';
import { checkFor } from '../checks/registry.ts';
import { roundBudgetMs } from '../checks/round-budget.ts';

/** What the scheduler fires: one target, or several that one check measures in one round. */
export interface Job {
  targets: readonly Target[];
  interval_seconds: number;
  /** How long a round may take before it is aborted. */
  budget_ms: number;
}

/**
 * Groups targets into rounds. Targets of a check that can batch (icmp with fping) and have
 * equal interval and options share a round, up to the check's maximum per round; every
 * other target is a round of its own. One fping for 40 hosts instead of 40 processes a
 * minute is most of the probe's CPU at 100 targets; the packets of a shared round are still
 * spread (fping interleaves hosts a few ms apart) and the groups start at random offsets.
 */
export function planJobs(targets: readonly Target[]): Job[] {
  const jobs: Job[] = [];
  const filling = new Map<string, Target[]>();
  const groups: Target[][] = [];
  for (const target of targets) {
    const batch = checkFor(target.kind).batch;
    const key = batch?.key(target);
    if (!batch || key === undefined) {
      jobs.push({
        targets: [target],
        interval_seconds: target.interval_seconds,
        budget_ms: roundBudgetMs(target),
      });
      continue;
    }
    let group = filling.get(key);
    if (!group || group.length >= batch.max) {
      group = [];
      filling.set(key, group);
      groups.push(group);
    }
    group.push(target);
  }
  for (const group of groups) {
    const [first] = group;
    if (!first) continue;
    const batch = checkFor(first.kind).batch;
    const budget = group.length > 1 && batch ? batch.budgetMs(group) : roundBudgetMs(first);
    jobs.push({ targets: group, interval_seconds: first.interval_seconds, budget_ms: budget });
  }
  return jobs;
}
