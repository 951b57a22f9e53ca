import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttp, type RequestListener, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warmUp } from '../warmup.ts';
import { httpCheck } from './http.check.ts';
import { makeTarget } from './make-target.ts';

const handler: RequestListener = (req, res) => {
  if (req.url === '/') return void res.end('hello fiberstack');
  if (req.url === '/hop') return void res.writeHead(302, { location: '/' }).end();
  if (req.url === '/loop') return void res.writeHead(301, { location: '/loop' }).end();
  if (req.url === '/slow') return void setTimeout(() => res.end('late'), 3000).unref();
  res.writeHead(500).end('boom');
};

let dir: string;
let cert: string;
let http: Server;
let https: Server;
const ports = { http: 0, https: 0 };

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'probe-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '30',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  http = createHttp(handler);
  https = createHttps({ key: readFileSync(join(dir, 'key.pem')), cert }, handler);
  ports.http = await listen(http);
  ports.https = await listen(https);
  await warmUp(); // as the agent does before its first round
});

afterAll(async () => {
  for (const s of [http, https]) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
  rmSync(dir, { recursive: true, force: true });
});

const signal = () => AbortSignal.timeout(2000);

describe('http check', () => {
  it('times lookup, connect, first byte and total from socket events and checks the keyword', async () => {
    const t = makeTarget('http', `http://localhost:${ports.http}/`, { http: { keyword: 'fiberstack' } });
    const r = await httpCheck.run(t, signal());
    expect(r).toMatchObject({ ok: true, http_status: 200, reachable: true });
    const h = r.http!;
    expect(h.dns_ms).toBeGreaterThanOrEqual(0);
    expect(h.connect_ms).toBeGreaterThan(0);
    expect(h.tls_ms).toBeUndefined();
    expect(h.ttfb_ms!).toBeGreaterThanOrEqual(h.connect_ms!);
    expect(h.total_ms!).toBeGreaterThanOrEqual(h.ttfb_ms!);
    expect(h.total_ms!).toBeLessThan(200);
    expect(r.rtts).toEqual([h.total_ms]);
  });

  it('fails when the keyword is missing or the status is not expected', async () => {
    const kw = makeTarget('http', `http://127.0.0.1:${ports.http}/`, { http: { keyword: 'absent' } });
    expect(await httpCheck.run(kw, signal())).toMatchObject({ ok: false, error: 'keyword not found' });
    const err = await httpCheck.run(makeTarget('http', `http://127.0.0.1:${ports.http}/x`), signal());
    expect(err).toMatchObject({ ok: false, reachable: true, http_status: 500, error: 'status 500' });
    const want500 = makeTarget('http', `http://127.0.0.1:${ports.http}/x`, {
      http: { expect_status: [500] },
    });
    expect((await httpCheck.run(want500, signal())).ok).toBe(true);
  });

  it('follows redirects up to max_redirects', async () => {
    const hop = await httpCheck.run(makeTarget('http', `http://127.0.0.1:${ports.http}/hop`), signal());
    expect(hop).toMatchObject({ ok: true, http_status: 200 });
    const loop = makeTarget('http', `http://127.0.0.1:${ports.http}/loop`, { http: { max_redirects: 3 } });
    expect(await httpCheck.run(loop, signal())).toMatchObject({
      ok: false,
      error: 'too many redirects',
      http_status: 301,
    });
    const noFollow = makeTarget('http', `http://127.0.0.1:${ports.http}/hop`, {
      http: { follow_redirects: false },
    });
    expect(await httpCheck.run(noFollow, signal())).toMatchObject({ ok: true, http_status: 302 });
  });

  it('is cancelled at its timeout', async () => {
    const t0 = performance.now();
    const r = await httpCheck.run(
      makeTarget('http', `http://127.0.0.1:${ports.http}/slow`),
      AbortSignal.timeout(200),
    );
    expect(r).toMatchObject({ ok: false, error: 'timeout' });
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('measures the TLS handshake and the certificate days left (trusted CA)', async () => {
    const t = makeTarget('http', `https://localhost:${ports.https}/`, { http: { ca: cert } });
    const r = await httpCheck.run(t, signal());
    expect(r).toMatchObject({ ok: true, http_status: 200 });
    expect(r.http!.tls_ms).toBeGreaterThan(0);
    expect(r.tls_days_left).toBeGreaterThanOrEqual(29);
    expect(r.tls_days_left).toBeLessThanOrEqual(30);
  });

  it('refuses an untrusted certificate unless tls_verify is off', async () => {
    const url = `https://127.0.0.1:${ports.https}/`;
    const strict = await httpCheck.run(makeTarget('http', url), signal());
    expect(strict).toMatchObject({ ok: false, reachable: true });
    const lax = await httpCheck.run(makeTarget('http', url, { http: { tls_verify: false } }), signal());
    expect(lax).toMatchObject({ ok: true, http_status: 200 });
    expect(lax.tls_days_left).toBeGreaterThanOrEqual(29);
  });
});
