import {
  FleetResponse,
  NodeDetailParams,
  NodeDetailQuery,
  NodeDetailResponse,
  Problem,
} from '@fiberstack/contracts';
import {
  createFleetStateCache,
  queryFleet,
  queryFleetBody,
  queryHttpPhases,
  queryNodeTargets,
} from '@fiberstack/db';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { App } from '../fastify-types.ts';

const DAY_MS = 24 * 3600 * 1000;
const MAX_DETAIL_RANGE_MS = 400 * DAY_MS;

/** GET /api/fleet (every node's health) and GET /api/fleet/:node_id (one node, per target). */
export function fleetRoutes(app: App, deps: ApiDeps): void {
  const now = deps.now ?? Date.now;
  // Nodes' current states between requests, recomputed for the nodes the ETL has loaded since.
  const cache = createFleetStateCache();

  app.get(
    '/api/fleet',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Every node: latest state, 24 h averages and p95, sparkline and health status',
        response: { 200: FleetResponse },
      },
    },
    async (_request, reply) => {
      const body = await queryFleetBody(deps.db, { now: new Date(now()), cache });
      // The database and queryFleetBody write the contract's JSON; it is sent as it is (the
      // schema's serializer is for objects, so the type says what the bytes hold).
      const bytes = Buffer.concat([Buffer.from(body.head), body.nodes, Buffer.from(body.tail)]);
      return reply.type('application/json; charset=utf-8').send(bytes as unknown as FleetResponse);
    },
  );

  app.get(
    '/api/fleet/:node_id',
    {
      schema: {
        tags: ['fleet'],
        summary: 'One node: fleet entry, per-target statistics and HTTP phase timings over a range',
        params: NodeDetailParams,
        querystring: NodeDetailQuery,
        response: { 200: NodeDetailResponse, 400: Problem, 404: Problem },
      },
    },
    async (request) => {
      const { node_id } = request.params;
      const end = request.query.end ? new Date(request.query.end) : new Date(now());
      const start = request.query.start ? new Date(request.query.start) : new Date(end.getTime() - DAY_MS);
      if (start.getTime() >= end.getTime())
        throw new ApiError('FS_ERR_METRICS_RANGE', 'start must be before end');
      if (end.getTime() - start.getTime() > MAX_DETAIL_RANGE_MS)
        throw new ApiError('FS_ERR_METRICS_RANGE', 'the range may span at most 400 days');
      const fleet = await queryFleet(deps.db, { now: new Date(now()), node_id, cache });
      const node = fleet.nodes[0];
      if (!node) throw new ApiError('FS_ERR_NOT_FOUND', 'no node with this id');
      const range = { node_id, start, end };
      const targets = await queryNodeTargets(deps.db, range);
      const bucketSeconds = phaseBucketSeconds(end.getTime() - start.getTime());
      const http = await queryHttpPhases(deps.db, { ...range, limit: 2000, bucketSeconds });
      return {
        node,
        timeframe: { start: start.toISOString(), end: end.toISOString() },
        targets,
        http,
        ...(bucketSeconds ? { http_bucket_seconds: bucketSeconds } : {}),
      };
    },
  );
}

/** HTTP phase points per target a node page draws; longer ranges are averaged into whole-minute buckets. */
const MAX_PHASE_POINTS = 720;

export function phaseBucketSeconds(rangeMs: number): number | undefined {
  const minutes = rangeMs / 60_000;
  return minutes > MAX_PHASE_POINTS ? Math.ceil(minutes / MAX_PHASE_POINTS) * 60 : undefined;
}
