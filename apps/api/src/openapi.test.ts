import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_FILE, renderOpenApi } from './openapi.ts';
import { type Harness, startHarness } from './test-support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

describe('OpenAPI document', () => {
  it('matches the committed apps/api/openapi.json (run `npm run openapi -w @fiberstack/api`)', async () => {
    const committed = await readFile(OPENAPI_FILE, 'utf8');
    expect(renderOpenApi(h.app)).toBe(committed);
  });

  it('documents every public route with the contract schemas', () => {
    const doc = h.app.swagger() as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    for (const path of [
      '/api/push',
      '/api/metrics',
      '/api/nodes',
      '/api/status',
      '/api/keys',
      '/api/keys/{id}',
      '/livez',
      '/readyz',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
    expect(JSON.stringify(doc.paths['/api/push'])).toContain('#/components/schemas/Sample');
    expect(JSON.stringify(doc.components.schemas.Sample)).toContain('probe-gh-accra-01');
  });

  it('serves the docs at /docs', async () => {
    const res = await h.app.inject({ url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const json = await h.app.inject({ url: '/docs/json' });
    expect(json.json().openapi).toBe('3.1.0');
  });
});
