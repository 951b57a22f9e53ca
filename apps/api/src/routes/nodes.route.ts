import { NodesResponse } from '@fiberstack/contracts';
import { listNodes } from '@fiberstack/db';
import type { ApiDeps } from '../deps.ts';
import type { App } from '../fastify-types.ts';

/** GET /api/nodes: every node the ETL has seen. */
export function nodesRoute(app: App, deps: ApiDeps): void {
  app.get(
    '/api/nodes',
    { schema: { tags: ['nodes'], summary: 'Every known probe node', response: { 200: NodesResponse } } },
    async () => ({ nodes: await listNodes(deps.db) }),
  );
}
