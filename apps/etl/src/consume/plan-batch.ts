import type { NewEvent, SampleErrorRow, SampleRow } from '@fiberstack/db';
import { DEAD_LETTER_AFTER, type Delivery } from '@fiberstack/queue';
import type { OutlierDetector } from '../steps/outlier.ts';
import { transformSample } from '../steps/transform.step.ts';
import { type ValidateContext, validateSample } from '../steps/validate.step.ts';

export interface DeadLetterItem {
  delivery: Delivery;
  reason: string;
}

/** What one batch writes and settles; built without I/O. */
export interface BatchPlan {
  rows: SampleRow[];
  rejects: SampleErrorRow[];
  /** Reject reason codes, one per rejected sample (for metrics). */
  rejectCodes: string[];
  events: NewEvent[];
  /** Deliveries fully handled by this batch: acked with the load. */
  ack: string[];
  deadLetters: DeadLetterItem[];
  /** Deliveries that failed this time and stay unacked (redelivered, dead-lettered at the limit). */
  deferred: DeadLetterItem[];
  samples: number;
}

/**
 * Turns deliveries into rows, rejects, outlier events and settle decisions. An entry that is
 * not a valid QueueEntry (or whose processing throws) counts as a failed delivery: it stays
 * unacked and is dead-lettered on its DEAD_LETTER_AFTER-th delivery. A valid entry handed out
 * more than DEAD_LETTER_AFTER times (a crash loop) is dead-lettered without processing.
 */
export function planBatch(
  deliveries: readonly Delivery[],
  ctx: ValidateContext,
  outliers: OutlierDetector,
): BatchPlan {
  const plan: BatchPlan = {
    rows: [],
    rejects: [],
    rejectCodes: [],
    events: [],
    ack: [],
    deadLetters: [],
    deferred: [],
    samples: 0,
  };
  const failed = (delivery: Delivery, reason: string): void => {
    if (delivery.deliveries >= DEAD_LETTER_AFTER) plan.deadLetters.push({ delivery, reason });
    else plan.deferred.push({ delivery, reason });
  };
  const accepted: SampleRow[] = [];
  for (const delivery of deliveries) {
    const entry = delivery.entry;
    if (entry === null) {
      failed(delivery, 'invalid_payload: not a valid queue entry');
      continue;
    }
    if (delivery.deliveries > DEAD_LETTER_AFTER) {
      plan.deadLetters.push({ delivery, reason: `max_deliveries: handed out ${delivery.deliveries} times` });
      continue;
    }
    try {
      const rows: SampleRow[] = [];
      const rejects: SampleErrorRow[] = [];
      const codes: string[] = [];
      entry.samples.forEach((sample, index) => {
        const result = validateSample(sample, ctx);
        if (result.outcome === 'ok') rows.push(transformSample(result.row, entry.received_at));
        else {
          rejects.push({
            message_id: entry.message_id,
            sample_index: index,
            reason: `${result.reason}: ${result.detail}`,
            sample,
          });
          codes.push(result.reason);
        }
      });
      accepted.push(...rows);
      plan.rejects.push(...rejects);
      plan.rejectCodes.push(...codes);
      plan.samples += entry.samples.length;
      plan.ack.push(delivery.id);
    } catch (err) {
      failed(delivery, `processing_error: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  // Time order per series makes the rolling window meaningful within one batch.
  accepted.sort((a, b) => a.time.getTime() - b.time.getTime());
  for (const row of accepted) {
    const verdict = outliers.observe(row);
    if (verdict?.outlier) {
      plan.events.push({
        time: row.time,
        node_id: row.node_id,
        kind: 'outlier',
        message: `latency outlier ${row.latency_ms} ms toward ${row.target || '(default)'} (${row.check})`,
        data: {
          target: row.target,
          check: row.check,
          latency_ms: row.latency_ms,
          median_ms: verdict.median,
          threshold_ms: verdict.threshold,
        },
      });
    }
  }
  plan.rows = accepted;
  return plan;
}
