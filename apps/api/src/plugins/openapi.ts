import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/** The OpenAPI document from the route schemas (the contracts), and served docs at /docs. */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    // Named schemas ($id, e.g. Sample) keep their name under components/schemas.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'FiberStack API',
        description: 'Push samples, query metrics, manage probe keys. Errors are application/problem+json.',
        version,
      },
      components: {
        securitySchemes: {
          probeKey: { type: 'http', scheme: 'bearer', description: 'Per-probe key fsk_<prefix>_<secret>' },
          adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: false });
}
