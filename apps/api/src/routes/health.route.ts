import { Type } from '@sinclair/typebox';
import type { ApiDeps } from '../deps.ts';
import type { App } from '../fastify-types.ts';
import { pingDb, pingQueue } from '../services/health.ts';

const Health = Type.Object({ status: Type.String() });

/** /livez: the process answers (no dependencies). /readyz: database and queue answer, not shutting down. */
export function healthRoutes(app: App, deps: ApiDeps): void {
  let ready = true;
  app.decorate('markNotReady', () => {
    ready = false;
  });
  app.decorate('isReady', () => ready);
  app.addHook('preClose', async () => {
    ready = false;
  });
  const opts = { config: { rateLimit: false }, logLevel: 'warn' } as const;
  app.get('/livez', { ...opts, schema: { tags: ['health'], response: { 200: Health } } }, async () => ({
    status: 'ok',
  }));
  app.get(
    '/readyz',
    { ...opts, schema: { tags: ['health'], response: { 200: Health, 503: Health } } },
    async (_request, reply) => {
      if (!ready) return reply.code(503).header('retry-after', '5').send({ status: 'shutting_down' });
      const [db, queue] = await Promise.all([pingDb(deps.db), pingQueue(deps.queue)]);
      if (db.ok && queue.ok) return { status: 'ready' };
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({ status: db.ok ? 'queue_unavailable' : 'db_unavailable' });
    },
  );
}
