import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitUntil } from '@fiberstack/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../deploy/validate/exec.ts';
import { checkNginx, renderNginx } from '../../deploy/validate/nginx.ts';

/** A stand-in API replica: answers with its name; /api/live streams two events 300 ms apart. */
function replica(name: string): Server {
  return createServer((req, res) => {
    if (req.url?.startsWith('/api/live')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('data: one\n\n');
      setTimeout(() => res.end('data: two\n\n'), 300);
      return;
    }
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
    });
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          replica: name,
          url: req.url,
          size,
          xff: req.headers['x-forwarded-for'] ?? null,
          pad: 'x'.repeat(2000),
        }),
      );
    });
  });
}

const listen = (s: Server, port: number) => new Promise<void>((r) => s.listen(port, '127.0.0.1', () => r()));
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));

describe('deploy/nginx in front of two replicas', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fiberstack-nginx-'));
  const servers = [replica('api-1'), replica('api-2')];
  let nginx: ChildProcess;
  let base = '';

  beforeAll(async () => {
    const ports = [await freePort(), await freePort()];
    await Promise.all(servers.map((s, i) => listen(s, ports[i] as number)));
    const html = join(dir, 'html');
    mkdirSync(join(html, 'assets'), { recursive: true });
    writeFileSync(join(html, 'index.html'), '<!doctype html><title>FiberStack</title><div id="root"></div>');
    writeFileSync(join(html, 'assets', 'app-1a2b3c.js'), `console.log(${JSON.stringify('x'.repeat(4000))});`);
    const port = await freePort();
    const conf = renderNginx(dir, {
      upstreams: ports.map((p) => `127.0.0.1:${p}`),
      root: html,
      port,
      host: '127.0.0.1',
    });
    nginx = spawn('nginx', ['-p', `${dir}/`, '-c', conf, '-g', 'daemon off;'], { stdio: 'ignore' });
    base = `http://127.0.0.1:${port}`;
    await waitUntil(
      'nginx',
      async () => (await fetch(`${base}/nginx-health`).catch(() => null))?.ok === true,
      10_000,
    );
  });

  afterAll(async () => {
    nginx?.kill('SIGQUIT');
    await new Promise((r) => (nginx?.exitCode !== null ? r(null) : nginx.once('exit', r)));
    await Promise.all(servers.map((s) => (s.listening ? close(s) : Promise.resolve())));
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes nginx -t', () => {
    const check = checkNginx(join(dir, 'check'));
    expect(check.skipped).toBeUndefined();
    expect(check.problems).toEqual([]);
    expect(run('nginx', ['-v']).ok).toBe(true);
  });

  it('serves the dashboard with an SPA fallback, cache rules and security headers', async () => {
    const deep = await fetch(`${base}/nodes/probe-ke-nairobi-01`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="root">');
    expect(deep.headers.get('cache-control')).toBe('no-cache');
    expect(deep.headers.get('x-content-type-options')).toBe('nosniff');
    expect(deep.headers.get('x-frame-options')).toBe('DENY');
    expect(deep.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(deep.headers.get('server')).toBe('nginx');
    const asset = await fetch(`${base}/assets/app-1a2b3c.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
  });

  it('balances /api over both replicas, forwards the client address, and hides /metrics', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const body = (await (await fetch(`${base}/api/nodes`)).json()) as { replica: string; xff: string };
      seen.add(body.replica);
      expect(body.xff).toBe('127.0.0.1');
    }
    expect(seen).toEqual(new Set(['api-1', 'api-2']));
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
  });

  it('refuses bodies over 1 MB with 413 and passes smaller pushes', async () => {
    const small = await fetch(`${base}/api/push`, { method: 'POST', body: 'x'.repeat(900_000) });
    expect(small.status).toBe(200);
    const big = await fetch(`${base}/api/push`, { method: 'POST', body: 'x'.repeat(1_100_000) });
    expect(big.status).toBe(413);
  });

  it('streams /api/live without buffering', async () => {
    const res = await fetch(`${base}/api/live`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    // The replica writes the second event 300 ms after the first: a buffering proxy would deliver
    // both in one chunk when the response ends; an unbuffered one delivers the first on its own.
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('data: one');
    expect(first).not.toContain('data: two');
    const rest = new TextDecoder().decode((await reader.read()).value);
    expect(rest).toContain('data: two');
    await reader.cancel();
  });

  it('fails over when a replica dies: every request still succeeds, POST included', async () => {
    await close(servers[0] as Server);
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${base}/api/push`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { replica: string }).replica).toBe('api-2');
    }
  });
});
