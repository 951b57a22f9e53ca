import { type Db, insertEvents, insertSampleErrors, loadSamples } from '@fiberstack/db';
import type { Queue } from '@fiberstack/queue';
import type { BatchPlan } from '../consume/plan-batch.ts';

export interface LoadOutcome {
  inserted: number;
  duplicates: number;
  newNodes: string[];
}

/**
 * Writes one batch in ONE transaction: samples, rejected samples (error stream) and outlier
 * events. A queue that settles in the transaction (embedded) acks and dead-letters inside it,
 * so rows and acks commit together; otherwise (Redis) `settleAfterCommit` follows. Throws on
 * any database fault, leaving everything unacked for a retry.
 */
export function commitBatch(db: Db, queue: Queue, plan: BatchPlan): Promise<LoadOutcome> {
  return db.transaction(async (tx) => {
    const loaded = await loadSamples(tx, plan.rows);
    await insertSampleErrors(tx, plan.rejects);
    await insertEvents(tx, plan.events);
    if (queue.settlesInTransaction) {
      await queue.ack(plan.ack, tx);
      for (const item of plan.deadLetters) await queue.deadLetter(item.delivery, item.reason, tx);
    }
    return loaded;
  });
}

/** For a queue that settles after commit (Redis): ack, then dead-letter. Retried on its own. */
export async function settleAfterCommit(queue: Queue, plan: BatchPlan): Promise<void> {
  if (queue.settlesInTransaction) return;
  await queue.ack(plan.ack);
  for (const item of plan.deadLetters) await queue.deadLetter(item.delivery, item.reason);
}
