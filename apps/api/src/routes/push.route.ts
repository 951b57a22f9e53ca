import { randomUUID } from 'node:crypto';
import {
  BatchAccepted,
  Problem,
  PushAccepted,
  PushBody,
  QUEUE_ENTRY_VERSION,
  type QueueEntry,
  type Sample,
  type SampleRejection,
} from '@fiberstack/contracts';
import { Type } from '@sinclair/typebox';
import type { ApiConfig } from '../config.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { App } from '../fastify-types.ts';
import type { ApiMetrics } from '../plugins/metrics.ts';
import { pushRateLimit } from '../plugins/rate-limit.ts';
import type { KeyCache } from '../services/key-cache.ts';
import { probeAuth } from '../services/probe-auth.ts';
import {
  envelopeErrors,
  isBatch,
  judgeSample,
  type SampleRejectionWithStatus,
} from '../services/validate-sample.ts';

const problems = { 400: Problem, 401: Problem, 403: Problem, 413: Problem, 415: Problem, 422: Problem };

/**
 * POST /api/push: the blueprint's single sample or a batch. The body schema documents the
 * contract; validation runs here, per sample, so a batch gets per-sample results.
 * Structure/type errors → 400, range and timestamp-policy errors → 422, another node → 403.
 * 202 is sent only after queue.append resolved (the entry is durable).
 */
export function pushRoute(
  app: App,
  deps: ApiDeps,
  config: ApiConfig,
  metrics: ApiMetrics,
  keys: KeyCache,
): void {
  const now = deps.now ?? Date.now;

  async function enqueue(samples: Sample[], dropped: number | undefined): Promise<string> {
    const entry: QueueEntry = {
      v: QUEUE_ENTRY_VERSION,
      message_id: randomUUID(),
      received_at: now(),
      samples,
    };
    if (dropped !== undefined) entry.dropped = dropped;
    try {
      await deps.queue.append(entry);
    } catch (err) {
      throw new ApiError(
        'FS_ERR_QUEUE_UNAVAILABLE',
        'queue unavailable, retry later',
        { retryAfter: 5 },
        { cause: err },
      );
    }
    metrics.samplesQueued.inc(samples.length);
    return entry.message_id;
  }

  function countRejected(rejections: readonly SampleRejectionWithStatus[]): void {
    for (const r of rejections) metrics.samplesRejected.inc({ reason: r.code });
  }

  app.post(
    '/api/push',
    {
      schema: {
        tags: ['push'],
        summary: 'Push one sample (blueprint body) or a batch',
        security: [{ probeKey: [] }],
        body: PushBody,
        response: { 202: Type.Union([BatchAccepted, PushAccepted]), ...problems },
      },
      // Validated per sample in the handler (see above).
      validatorCompiler: () => (value: unknown) => ({ value }),
      config: { rateLimit: pushRateLimit(config.rateLimit) },
      onRequest: probeAuth(deps, keys),
    },
    async (request, reply) => {
      const ctx = { nodeId: request.nodeId, now: now() };
      const body: unknown = request.body;
      if (!isBatch(body)) {
        const verdict = judgeSample(body, 0, ctx);
        if (!verdict.ok) {
          countRejected([verdict.rejection]);
          throw new ApiError(verdict.rejection.code, verdict.rejection.message);
        }
        const message_id = await enqueue([verdict.sample], undefined);
        return reply.code(202).send({ status: 'accepted', queued: true, message_id });
      }
      const errors = envelopeErrors(body);
      if (errors.length > 0)
        throw new ApiError('FS_ERR_REQUEST_VALIDATION', 'batch envelope is invalid', { errors });
      const raw = body.samples as unknown[];
      const valid: Sample[] = [];
      const rejections: SampleRejectionWithStatus[] = [];
      raw.forEach((s, i) => {
        const verdict = judgeSample(s, i, ctx);
        if (verdict.ok) valid.push(verdict.sample);
        else rejections.push(verdict.rejection);
      });
      countRejected(rejections);
      const rejected: SampleRejection[] = rejections.map(({ index, code, message }) => ({
        index,
        code,
        message,
      }));
      if (valid.length === 0) {
        const allForeign = rejections.every((r) => r.code === 'FS_ERR_AUTH_NODE_MISMATCH');
        throw allForeign
          ? new ApiError('FS_ERR_AUTH_NODE_MISMATCH', 'every sample names another node_id', { rejected })
          : new ApiError('FS_ERR_PUSH_NO_VALID_SAMPLE', 'no sample in the batch is valid', { rejected });
      }
      const message_id = await enqueue(valid, body.dropped as number | undefined);
      return reply
        .code(202)
        .send({ status: 'accepted', queued: true, message_id, accepted: valid.length, rejected });
    },
  );
}
