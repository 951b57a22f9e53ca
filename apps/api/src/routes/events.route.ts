import { EventsQuery, EventsResponse, Problem } from '@fiberstack/contracts';
import { searchEvents } from '@fiberstack/db';
import type { ApiDeps } from '../deps.ts';
import type { App } from '../fastify-types.ts';

/** GET /api/events: the event log, newest first, with web-search syntax in `q`. */
export function eventsRoute(app: App, deps: ApiDeps): void {
  app.get(
    '/api/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Events (node first seen, silent, back, outliers, …), newest first',
        querystring: EventsQuery,
        response: { 200: EventsResponse, 400: Problem },
      },
    },
    async (request) => {
      const q = request.query;
      const events = await searchEvents(deps.db, {
        limit: q.limit ?? 100,
        ...(q.q !== undefined ? { q: q.q } : {}),
        ...(q.node_id !== undefined ? { node_id: q.node_id } : {}),
        ...(q.kind !== undefined ? { kind: q.kind } : {}),
      });
      return { events: events.map((e) => ({ ...e, id: Number(e.id) })) };
    },
  );
}
