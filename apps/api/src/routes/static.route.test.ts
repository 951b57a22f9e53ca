import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../test-support/harness.ts';
import { safeAssetPath } from './static.route.ts';

const dir = mkdtempSync(join(tmpdir(), 'fs-dash-'));
let h: Harness;

beforeAll(async () => {
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>FiberStack</title>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
  writeFileSync(join(dir, '.env'), 'SECRET=1');
  h = await startHarness({}, { dashboardDir: dir });
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dashboard static files', () => {
  it('serves index.html at / with the dashboard CSP and revalidation', async () => {
    const res = await h.app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<title>FiberStack</title>');
    expect(res.headers['cache-control']).toBe('no-cache');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('falls back to index.html for client routes', async () => {
    const res = await h.app.inject({ url: '/nodes/probe-gh-accra-01?range=7d' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('FiberStack');
  });

  it('caches hashed assets for a year', async () => {
    const res = await h.app.inject({ url: '/assets/index-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('keeps API 404s as problem+json and never serves API paths from the SPA', async () => {
    const res = await h.app.inject({ url: '/api/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await h.app.inject({ url: '/api/fleet' })).statusCode).toBe(200);
  });

  it.each([
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
    '/assets/..%5c..%5cpackage.json',
    '/.env',
    '/missing.js',
  ])('never serves %s outside the web root or dotfiles', async (url) => {
    const res = await h.app.inject({ url });
    // A path that normalises to a client route gets index.html; anything else is refused.
    if (res.statusCode === 200) expect(res.body).toContain('<title>FiberStack</title>');
    else expect([400, 403, 404]).toContain(res.statusCode);
    expect(res.body).not.toContain('SECRET');
    expect(res.body).not.toContain('root:');
    expect(res.body).not.toContain('"workspaces"');
  });

  it('rejects traversal segments', () => {
    expect(safeAssetPath('assets/a.js')).toBe(true);
    expect(safeAssetPath('../x')).toBe(false);
    expect(safeAssetPath('a\\..\\b')).toBe(false);
    expect(safeAssetPath('.git/config')).toBe(false);
  });
});
