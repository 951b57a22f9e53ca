import { type QueueStats, StatusResponse } from '@fiberstack/contracts';
import type { ApiDeps } from '../deps.ts';
import type { App } from '../fastify-types.ts';
import { pingDb, pingQueue } from '../services/health.ts';

/** GET /api/status: database and queue checks, queue stats; 503 (with Retry-After) when degraded. */
export function statusRoute(app: App, deps: ApiDeps): void {
  const startedAt = performance.now();
  app.get(
    '/api/status',
    {
      schema: {
        tags: ['status'],
        summary: 'Health of the API, database and queue',
        response: { 200: StatusResponse, 503: StatusResponse },
      },
    },
    async (_request, reply) => {
      const [db, queue] = await Promise.all([pingDb(deps.db), pingQueue(deps.queue)]);
      let stats: QueueStats | undefined;
      if (queue.ok) stats = await deps.queue.stats().catch(() => undefined);
      const ok = db.ok && queue.ok;
      if (!ok) reply.code(503).header('retry-after', '5');
      return {
        status: ok ? ('ok' as const) : ('degraded' as const),
        version: deps.version,
        mode: deps.mode,
        uptime_s: Math.round((performance.now() - startedAt) / 10) / 100,
        checks: { db, queue },
        ...(stats ? { queue: stats } : {}),
      };
    },
  );
}
