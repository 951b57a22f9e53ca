import type { FastifyInstance } from 'fastify';

/** apps/api/openapi.json, generated from the route schemas and committed. */
export const OPENAPI_FILE = new URL('../openapi.json', import.meta.url);

/** The app's OpenAPI document as committed: stable key order, trailing newline. */
export function renderOpenApi(app: FastifyInstance): string {
  return `${JSON.stringify(app.swagger(), null, 2)}\n`;
}
