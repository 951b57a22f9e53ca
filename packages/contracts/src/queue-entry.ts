import { type Static, Type } from '@sinclair/typebox';
import { Sample } from './sample.ts';

export const QUEUE_ENTRY_VERSION = 1;

/**
 * What the API appends to the queue for one accepted push: the validated samples as sent,
 * with the receive time. Changes are additive; `v` tells readers which fields exist.
 */
export const QueueEntry = Type.Object({
  v: Type.Literal(QUEUE_ENTRY_VERSION),
  message_id: Type.String(),
  received_at: Type.Integer({ description: 'ms since the epoch, API clock' }),
  dropped: Type.Optional(Type.Integer({ minimum: 0 })),
  samples: Type.Array(Sample),
});
export type QueueEntry = Static<typeof QueueEntry>;
