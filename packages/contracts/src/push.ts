import { type Static, Type } from '@sinclair/typebox';
import { Limits } from './limits.ts';
import { Sample } from './sample.ts';

/** Many samples, many targets, one request. */
export const PushBatch = Type.Object(
  {
    samples: Type.Array(Sample, { minItems: 1, maxItems: Limits.samplesPerBatch }),
    /** Samples the probe dropped from its buffer since its last accepted push. */
    dropped: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  },
  { additionalProperties: false },
);
export type PushBatch = Static<typeof PushBatch>;

/** `POST /api/push` takes the blueprint's single sample or a batch. */
export const PushBody = Type.Union([Sample, PushBatch]);
export type PushBody = Static<typeof PushBody>;

export const PushAccepted = Type.Object({
  status: Type.Literal('accepted'),
  queued: Type.Literal(true),
  message_id: Type.String({ format: 'uuid' }),
});
export type PushAccepted = Static<typeof PushAccepted>;

export const SampleRejection = Type.Object({
  index: Type.Integer({ minimum: 0 }),
  code: Type.String(),
  message: Type.String(),
});
export type SampleRejection = Static<typeof SampleRejection>;

export const BatchAccepted = Type.Object({
  status: Type.Literal('accepted'),
  queued: Type.Literal(true),
  message_id: Type.String({ format: 'uuid' }),
  accepted: Type.Integer({ minimum: 0 }),
  rejected: Type.Array(SampleRejection),
});
export type BatchAccepted = Static<typeof BatchAccepted>;
