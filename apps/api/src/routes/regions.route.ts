import { Problem, RegionsQuery, RegionsResponse } from '@fiberstack/contracts';
import { queryGroupSeries, queryGroupsJson } from '@fiberstack/db';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { App } from '../fastify-types.ts';
import { type RollupCache, rollupKey } from '../services/rollup-cache.ts';

const DAY_MS = 24 * 3600 * 1000;
const MAX_RANGE_MS = 400 * DAY_MS;

/** GET /api/regions: aggregates per country, region and node over a range (default 24 h). */
export function regionsRoute(app: App, deps: ApiDeps, rollups: RollupCache): void {
  const now = deps.now ?? Date.now;
  app.get(
    '/api/regions',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Aggregates per country, region and node; optional time series per country and region',
        querystring: RegionsQuery,
        response: { 200: RegionsResponse, 400: Problem },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const end = q.end ? new Date(q.end) : new Date(now());
      const start = q.start ? new Date(q.start) : new Date(end.getTime() - DAY_MS);
      if (start.getTime() >= end.getTime())
        throw new ApiError('FS_ERR_METRICS_RANGE', 'start must be before end');
      if (end.getTime() - start.getTime() > MAX_RANGE_MS)
        throw new ApiError('FS_ERR_METRICS_RANGE', 'the range may span at most 400 days');
      const aggregation = q.aggregation ?? 'hourly';
      const filter = { start, end, aggregation };
      // Both parts are computed from the rollups only (and the nodes' countries and regions,
      // which change with the samples that change the rollups).
      const groups = await rollups.get(rollupKey('groups', aggregation, start, end, []), () =>
        queryGroupsJson(deps.db, filter),
      );
      const series = q.series
        ? await rollups.get(rollupKey('group-series', aggregation, start, end, []), async () =>
            JSON.stringify(await queryGroupSeries(deps.db, filter)),
          )
        : undefined;
      const head = JSON.stringify({
        timeframe: { start: start.toISOString(), end: end.toISOString() },
        aggregation,
      });
      // The groups arrive as the contract's JSON from the database and go out as they are.
      const body = `${head.slice(0, -1)}${series ? `,"series":${series}` : ''},${groups.slice(1)}`;
      return reply.type('application/json; charset=utf-8').send(body as unknown as RegionsResponse);
    },
  );
}
