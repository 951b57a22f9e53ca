import { Limits, PushBatch, Sample, type SampleRejection } from '@fiberstack/contracts';
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { type ValueError, ValueErrorType } from '@sinclair/typebox/value';
import type { ErrorCode } from '../errors.ts';

const sampleCheck = TypeCompiler.Compile(Sample);

/** PushBatch with its samples left unchecked: each sample is judged on its own. */
const Envelope = Type.Object(
  {
    ...PushBatch.properties,
    samples: Type.Array(Type.Unknown(), {
      minItems: PushBatch.properties.samples.minItems,
      maxItems: PushBatch.properties.samples.maxItems,
    }),
  },
  { additionalProperties: false },
);
const envelopeCheck = TypeCompiler.Compile(Envelope);

const RANGE_ERRORS: ReadonlySet<ValueErrorType> = new Set([
  ValueErrorType.NumberMinimum,
  ValueErrorType.NumberMaximum,
  ValueErrorType.NumberExclusiveMinimum,
  ValueErrorType.NumberExclusiveMaximum,
  ValueErrorType.IntegerMinimum,
  ValueErrorType.IntegerMaximum,
  ValueErrorType.IntegerExclusiveMinimum,
  ValueErrorType.IntegerExclusiveMaximum,
]);

export interface SampleRejectionWithStatus extends SampleRejection {
  code: ErrorCode;
  status: 400 | 403 | 422;
}

export type SampleVerdict =
  | { ok: true; sample: Sample }
  | { ok: false; rejection: SampleRejectionWithStatus };

export interface SampleContext {
  /** The node the API key is bound to. */
  nodeId: string;
  now: number;
}

function describe(e: ValueError): string {
  return `${e.path || '/'}: ${e.message}`;
}

/** `{samples: [...]}` is a batch; anything else is judged as one blueprint sample. */
export function isBatch(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && Object.hasOwn(body, 'samples');
}

/** Structural problems of a batch envelope, as path/message pairs (empty when valid). */
export function envelopeErrors(body: unknown): { path: string; message: string }[] {
  if (envelopeCheck.Check(body)) return [];
  return [...envelopeCheck.Errors(body)].slice(0, 10).map((e) => ({ path: e.path, message: e.message }));
}

export function timestampMs(ts: Sample['timestamp']): number {
  return typeof ts === 'number' ? ts : Date.parse(ts);
}

/**
 * Schema (structure 400, numeric range 422), key binding (403), then the timestamp policy
 * now − max backfill ≤ ts ≤ now + 5 min (422).
 */
export function judgeSample(raw: unknown, index: number, ctx: SampleContext): SampleVerdict {
  const reject = (code: ErrorCode, status: 400 | 403 | 422, message: string): SampleVerdict => ({
    ok: false,
    rejection: { index, code, status, message },
  });
  if (!sampleCheck.Check(raw)) {
    const errors = [...sampleCheck.Errors(raw)];
    const first = errors[0];
    const message = first ? describe(first) : 'invalid sample';
    return errors.every((e) => RANGE_ERRORS.has(e.type))
      ? reject('FS_ERR_PUSH_OUT_OF_RANGE', 422, message)
      : reject('FS_ERR_PUSH_INVALID_SAMPLE', 400, message);
  }
  if (raw.node_id !== ctx.nodeId)
    return reject('FS_ERR_AUTH_NODE_MISMATCH', 403, 'the API key is bound to another node_id');
  const ts = timestampMs(raw.timestamp);
  if (ts > ctx.now + Limits.futureSkewMs)
    return reject('FS_ERR_PUSH_TIMESTAMP_FUTURE', 422, 'timestamp is more than 5 minutes in the future');
  if (!(ts >= ctx.now - Limits.maxBackfillMs))
    return reject('FS_ERR_PUSH_TIMESTAMP_TOO_OLD', 422, 'timestamp is older than the 7-day backfill window');
  return { ok: true, sample: raw };
}
