import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { printFigures, type SecApi, startSecApi, tally } from './support.ts';

/**
 * S18: 200 path-traversal variants (../, %2e%2e%2f, %252f, ..\, ..%5c, overlong UTF-8, ;/ and
 * NUL tricks, /public/../) sent byte-exact over a raw socket to the dashboard, the API routes
 * and /docs. Nothing outside the web root is ever served: no canary from the parent directory,
 * no /etc/passwd, no dotfile inside the root. Answers are 4xx problem+json, or the dashboard's
 * own index.html for paths the single-page app owns (still inside the root), or a bare 400 from
 * Node's HTTP parser for request lines it refuses before the API sees them.
 */
const CANARY = 'FS-CANARY-OUTSIDE-WEB-ROOT';
const DOTFILE = 'FS-CANARY-DOTFILE';
const INDEX = '<!doctype html><title>FiberStack dashboard</title>';

let api: SecApi;
let port = 0;
let top: string;

beforeAll(async () => {
  top = mkdtempSync(join(tmpdir(), 'fiberstack-s18-'));
  const web = join(top, 'web');
  mkdirSync(join(web, 'assets'), { recursive: true });
  writeFileSync(join(web, 'index.html'), INDEX);
  writeFileSync(join(web, 'assets', 'app.js'), 'console.log("app")');
  writeFileSync(join(web, '.env'), DOTFILE);
  writeFileSync(join(top, 'secret.txt'), CANARY);
  writeFileSync(join(top, 'secret'), CANARY);
  api = await startSecApi('production', { dashboardDir: web });
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  const address = api.app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});
afterAll(async () => {
  await api?.close();
  rmSync(top, { recursive: true, force: true });
});

/** One request with the path exactly as given (no client-side normalisation). */
function raw(path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      const type = /\r\ncontent-type: ([^\r]+)/i.exec(head)?.[1] ?? '';
      resolve({ status, type, body: rest.join('\r\n\r\n') });
    });
    // Written, not ended: a half-closed socket would end a streamed file early.
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 'latin1');
    socket.setTimeout(10_000, () => socket.destroy(new Error(`timeout on ${path}`)));
  });
}

function variants(): string[] {
  const ups = [
    '../',
    '..%2f',
    '%2e%2e%2f',
    '%2e%2e/',
    '.%2e/',
    '%2e./',
    '%252e%252e%252f',
    '..%252f',
    '..\\',
    '..%5c',
    '%2e%2e%5c',
    '..%c0%af',
    '%c0%ae%c0%ae/',
    '....//',
    '..;/',
    '..%00/',
    '%2e%2e%u2215',
  ];
  const prefixes = ['/', '/assets/', '/public/', '/api/', '/api/fleet/', '/docs/static/'];
  const targets = ['secret.txt', 'secret', 'etc/passwd', '.env', 'web/.env'];
  const out = new Set<string>();
  for (let depth = 1; out.size < 190; depth++) {
    for (const up of ups) {
      for (const prefix of prefixes) {
        const target = targets[(out.size + depth) % targets.length] ?? 'secret.txt';
        const hops = target === 'etc/passwd' ? depth + 6 : depth;
        out.add(`${prefix}${up.repeat(hops)}${target}`);
        if (out.size >= 190) break;
      }
      if (out.size >= 190) break;
    }
  }
  for (const p of [
    '/.env',
    '/%2eenv',
    '/assets/../.env',
    '/public/../../secret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
    '/assets/..%2f..%2fsecret.txt',
    '/index.html%00.js',
    '/assets/app.js/../../../secret.txt',
  ])
    out.add(p);
  return [...out].slice(0, 200);
}

it('S18 never serves outside the web root for 200 traversal variants', async () => {
  const paths = variants();
  const statuses: number[] = [];
  const leaks: string[] = [];
  const notClear: string[] = [];
  let spaShell = 0;
  let bare400 = 0;
  for (const path of paths) {
    const res = await raw(path);
    statuses.push(res.status);
    if (res.body.includes(CANARY) || res.body.includes(DOTFILE) || /root:.*:0:0:/.test(res.body))
      leaks.push(`${path} → ${res.status}`);
    const problem =
      res.status >= 400 &&
      res.status < 500 &&
      (res.type.startsWith('application/problem+json') || res.status === 400);
    if (res.status === 400 && !res.type.startsWith('application/problem+json')) bare400++;
    const shell = res.status === 200 && res.body === INDEX;
    if (shell) spaShell++;
    if (!problem && !shell) notClear.push(`${path} → ${res.status} ${res.type}`);
  }
  // Controls: the root serves real files.
  const asset = await raw('/assets/app.js');
  const index = await raw('/');
  printFigures('S18', {
    requests: paths.length,
    statuses: tally(statuses),
    spa_shell_answers: spaShell,
    bare_400_from_http_parser: bare400,
    leaks: leaks.length,
    unexpected: [...leaks, ...notClear].slice(0, 5),
    control_asset: asset.status,
    control_index: index.status,
  });
  expect(paths).toHaveLength(200);
  expect(leaks).toEqual([]);
  expect(notClear).toEqual([]);
  expect(asset.status).toBe(200);
  expect(asset.body).toContain('console.log');
  expect(index.body).toBe(INDEX);
}, 120_000);
