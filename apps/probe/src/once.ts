import type { Sample } from '@fiberstack/contracts';
import { checkFor } from './checks/registry.ts';
import { roundBudgetMs } from './checks/round-budget.ts';
import type { ProbeConfig } from './config.ts';
import { buildSample } from './sample-builder.ts';
import { Limiter } from './scheduler/limiter.ts';
import { warmUp, warmUpNeeds } from './warmup.ts';

/** One round of every target, in config order; nothing is buffered or pushed. */
export async function runOnce(config: ProbeConfig): Promise<Sample[]> {
  await warmUp(warmUpNeeds(config));
  const limiter = new Limiter(config.concurrency);
  return Promise.all(
    config.targets.map((target) =>
      limiter.run(async () => {
        const startedAt = new Date();
        const result = await checkFor(target.kind).run(target, AbortSignal.timeout(roundBudgetMs(target)));
        return buildSample(config.node, target, result, startedAt);
      }),
    ),
  );
}
