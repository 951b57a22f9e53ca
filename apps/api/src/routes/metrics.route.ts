import { MetricsQuery, MetricsResponse, Problem } from '@fiberstack/contracts';
import { queryBucketedJson, queryMetrics, queryRollupJson } from '@fiberstack/db';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { App } from '../fastify-types.ts';
import { type RollupCache, rollupKey } from '../services/rollup-cache.ts';

const DAY_MS = 24 * 3600 * 1000;
export const DEFAULT_RANGE_MS = DAY_MS;
export const MAX_RANGE_MS = 400 * DAY_MS;

/** GET /api/metrics: the blueprint's shape plus `aggregation`; default range the last 24 h. */
export function metricsRoute(app: App, deps: ApiDeps, rollups: RollupCache): void {
  const now = deps.now ?? Date.now;
  app.get(
    '/api/metrics',
    {
      schema: {
        tags: ['metrics'],
        summary: "One node's points over a time range",
        querystring: MetricsQuery,
        response: { 200: MetricsResponse, 400: Problem },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const end = q.end ? new Date(q.end) : new Date(now());
      const start = q.start ? new Date(q.start) : new Date(end.getTime() - DEFAULT_RANGE_MS);
      if (start.getTime() >= end.getTime())
        throw new ApiError('FS_ERR_METRICS_RANGE', 'start must be before end');
      if (end.getTime() - start.getTime() > MAX_RANGE_MS)
        throw new ApiError('FS_ERR_METRICS_RANGE', 'the range may span at most 400 days');
      const aggregation = q.aggregation ?? 'raw';
      const bucketSeconds = rawBucketSeconds(aggregation, start, end, q.max_points);
      const filter = {
        node_id: q.node_id,
        start,
        end,
        aggregation,
        limit: q.limit ?? 5000,
        ...(q.target !== undefined ? { target: q.target } : {}),
        ...(q.check !== undefined ? { check: q.check } : {}),
      };
      const head = {
        node_id: q.node_id,
        aggregation,
        timeframe: { start: start.toISOString(), end: end.toISOString() },
      };
      // Buckets and rollups leave the database as the contract's JSON and go out as they are,
      // instead of being decoded and encoded again here (a week's buckets are thousands of
      // points: ≈ 25 ms less per request on PGlite).
      let data: string | undefined;
      let extra = {};
      if (bucketSeconds !== undefined) {
        data = await queryBucketedJson(deps.db, { ...filter, bucketSeconds });
        extra = { bucket_seconds: bucketSeconds };
      } else if (aggregation !== 'raw') {
        // Rollup points depend on the rollups and on which whole buckets the range covers.
        const key = rollupKey('metrics', aggregation, start, end, [
          q.node_id,
          q.target ?? '',
          q.check ?? '',
          filter.limit,
        ]);
        data = await rollups.get(key, () => queryRollupJson(deps.db, { ...filter, aggregation }));
      }
      if (data !== undefined) {
        const json = JSON.stringify({ ...head, ...extra });
        const body = `${json.slice(0, -1)},"data":${data}}`;
        // A JSON string is sent as it is (the schema's serializer is for objects); the type
        // provider only knows the object form of this schema.
        return reply.type('application/json; charset=utf-8').send(body as unknown as MetricsResponse);
      }
      return { ...head, data: await queryMetrics(deps.db, filter) };
    },
  );
}

/**
 * Whole minutes per bucket so a raw range fits in maxPoints points per series; undefined when
 * the range is short enough to return every sample (or the query is not raw).
 */
export function rawBucketSeconds(
  aggregation: string,
  start: Date,
  end: Date,
  maxPoints: number | undefined,
): number | undefined {
  if (aggregation !== 'raw' || maxPoints === undefined) return undefined;
  const minutes = Math.ceil((end.getTime() - start.getTime()) / 60_000 / maxPoints);
  return minutes > 1 ? minutes * 60 : undefined;
}
