import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, MODES, printFigures, type SecApi, startSecApi } from './support.ts';

/**
 * S19: every route in the OpenAPI document (plus the dashboard, /docs and an unknown path), asked
 * from `Origin: https://evil.example` with GET/POST/DELETE and with a CORS preflight. Required
 * security headers on 100 % of answers (the /api/live event stream included); no
 * Access-Control-Allow-Origin for a disallowed origin; /api/push never CORS-enabled, not even for
 * the configured dashboard origin (which the read routes do allow: the control).
 */
const ALLOWED = 'https://dash.example.com';
const EVIL = 'https://evil.example';
const REQUIRED: Record<string, RegExp> = {
  'x-content-type-options': /^nosniff$/,
  'x-frame-options': /^DENY$/,
  'referrer-policy': /^no-referrer$/,
  'content-security-policy': /frame-ancestors 'none'/,
  'strict-transport-security': /^max-age=\d+/,
  'cross-origin-resource-policy': /^same-origin$/,
  'cache-control': /./,
  'x-request-id': /./,
};

type Headers = Record<string, string | string[] | undefined>;

describe.each(MODES)('S19 headers and CORS (%s mode)', (mode) => {
  let api: SecApi;
  let base: string;
  let dir: string;
  let keyId: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fiberstack-s19-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>FiberStack</title>');
    api = await startSecApi(mode, { env: { CORS_ORIGINS: ALLOWED }, dashboardDir: dir });
    ({ id: keyId } = await api.createKey('probe-gh-accra-01'));
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    const address = api.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Real HTTP (the event stream is read for its headers, then dropped). */
  async function call(
    method: string,
    path: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; headers: Headers }> {
    const ac = new AbortController();
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      signal: ac.signal,
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    const out = { status: res.status, headers: Object.fromEntries(res.headers) };
    if (res.headers.get('content-type')?.startsWith('text/event-stream')) ac.abort();
    else await res.arrayBuffer();
    return out;
  }

  it('sends the security headers everywhere and CORS only to the allowed origin, never on /api/push', async () => {
    const spec = (
      api.app as unknown as { swagger(): { paths: Record<string, Record<string, unknown>> } }
    ).swagger();
    const routes: { method: string; path: string }[] = [];
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const method of Object.keys(ops)) {
        const concrete = path.replace('{node_id}', 'probe-gh-accra-01').replace('{id}', keyId);
        routes.push({ method: method.toUpperCase(), path: concrete });
      }
    }
    routes.push(
      { method: 'GET', path: '/' },
      { method: 'GET', path: '/docs' },
      { method: 'GET', path: '/api/nope' },
    );
    const missing: string[] = [];
    const leakedCors: string[] = [];
    const pushCors: string[] = [];
    const allowedCors: string[] = [];
    let requests = 0;
    const statuses: Record<string, number> = {};
    for (const r of routes) {
      const auth: Record<string, string> =
        r.path === '/api/push' ? {} : { authorization: `Bearer ${ADMIN_TOKEN}` };
      const json: Record<string, string> = r.method === 'POST' ? { 'content-type': 'application/json' } : {};
      for (const origin of [EVIL, ALLOWED]) {
        const asked = await call(r.method, r.path, { origin, ...auth, ...json });
        const preflight = await call('OPTIONS', r.path, {
          origin,
          'access-control-request-method': r.method,
          'access-control-request-headers': 'authorization, content-type',
        });
        requests += 2;
        statuses[asked.status] = (statuses[asked.status] ?? 0) + 1;
        statuses[`OPTIONS ${preflight.status}`] = (statuses[`OPTIONS ${preflight.status}`] ?? 0) + 1;
        for (const [name, re] of Object.entries(REQUIRED)) {
          if (!re.test(String(asked.headers[name] ?? ''))) missing.push(`${r.method} ${r.path}: ${name}`);
        }
        for (const answer of [asked, preflight]) {
          const acao = answer.headers['access-control-allow-origin'];
          if (origin === EVIL && acao !== undefined) leakedCors.push(`${r.method} ${r.path}: ${acao}`);
          if (r.path === '/api/push' && acao !== undefined) pushCors.push(`${origin}: ${acao}`);
        }
        if (
          origin === ALLOWED &&
          r.path !== '/api/push' &&
          asked.headers['access-control-allow-origin'] === ALLOWED
        )
          allowedCors.push(r.path);
      }
    }
    printFigures('S19', {
      mode,
      routes: routes.length,
      spec_operations: routes.length - 3,
      requests,
      statuses,
      missing_headers: missing.length,
      cors_for_disallowed_origin: leakedCors.length,
      cors_on_push: pushCors.length,
      cors_for_allowed_origin_routes: allowedCors.length,
      examples: [...missing, ...leakedCors, ...pushCors].slice(0, 5),
    });
    expect(routes.length).toBeGreaterThanOrEqual(14);
    expect(missing).toEqual([]);
    expect(leakedCors).toEqual([]);
    expect(pushCors).toEqual([]);
    // Control: CORS works for the configured origin on the read routes.
    expect(allowedCors).toContain('/api/fleet');
  }, 120_000);
});
