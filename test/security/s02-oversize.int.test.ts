import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createGunzip, createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type ApiProcesses,
  blueprintSample,
  countIn,
  percentile,
  printFigures,
  type RawResponse,
  send,
  startApiProcesses,
  tally,
} from './support.ts';

/**
 * S2: 1 000 oversize bodies on a real `fiberstack api` process: gzip bombs from 10 MB to 1 GB
 * decoded, identity bodies just over 1 MiB, and chunked bodies without Content-Length. All 413,
 * no decompression beyond the limit (the process's CPU time stays a small fraction of what
 * decoding the bombs costs), no restart, RSS growth < 50 MB, nothing queued.
 */
const NODE = 'probe-gh-accra-01';
const MiB = 2 ** 20;

let api: ApiProcesses;
let key: string;

beforeAll(async () => {
  api = await startApiProcesses(1);
  ({ key } = await api.createKey(NODE));
}, 120_000);
afterAll(async () => api?.stop());

/** gzip of `size` bytes of `fill` (streamed: the decoded bytes never sit in memory). */
async function bomb(size: number, head = ''): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((r) => gz.on('end', r));
  const chunk = Buffer.alloc(MiB, 0x20);
  if (head) gz.write(head);
  for (let written = 0; written < size; written += MiB) {
    if (!gz.write(chunk)) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
  return Buffer.concat(out);
}

/** CPU seconds (user + system) of a process, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Seconds this process needs to decode one gzip body in full. */
async function decodeSeconds(body: Buffer): Promise<number> {
  const t0 = performance.now();
  const gun = createGunzip();
  gun.on('data', () => {});
  const done = new Promise((r) => gun.on('end', r));
  gun.end(body);
  await done;
  return (performance.now() - t0) / 1000;
}

/** Streams `total` bytes as chunked transfer encoding (no Content-Length). */
function sendChunked(base: string, total: number, headers: Record<string, string>): Promise<RawResponse> {
  const url = new URL(base);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: 'POST', path: '/api/push', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
            ms: performance.now() - t0,
          }),
        );
      },
    );
    req.on('error', (err) => {
      setTimeout(() => reject(err), 500);
    });
    const piece = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < total && !req.destroyed) {
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

it('S2 answers 1 000 oversize bodies and gzip bombs 413 without decoding past 1 MiB', async () => {
  const bombs = {
    '10MB': await bomb(10 * MiB),
    '100MB': await bomb(100 * MiB),
    '1GB': await bomb(1024 * MiB),
    '100MB-json': await bomb(100 * MiB, `{"samples":[${JSON.stringify(blueprintSample())}`),
  };
  const plan: [keyof typeof bombs | 'identity-1MiB+1' | 'chunked-2MiB', number][] = [
    ['10MB', 400],
    ['100MB', 250],
    ['1GB', 50],
    ['100MB-json', 150],
    ['identity-1MiB+1', 100],
    ['chunked-2MiB', 50],
  ];
  const decodedBytes = { '10MB': 10 * MiB, '100MB': 100 * MiB, '1GB': 1024 * MiB, '100MB-json': 100 * MiB };
  const fullDecodePer100MB = await decodeSeconds(bombs['100MB']);
  const base = api.urls[0] ?? '';
  const pid = api.apis[0]?.pid ?? -1;
  const auth = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  const before = await api.state();
  const rssBefore = api.rss(0);
  const cpuBefore = cpuSeconds(pid);
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const byKind: Record<string, Record<string, number>> = {};
  const statuses: number[] = [];
  const latencies: number[] = [];
  const bad: string[] = [];
  let bombBytesDecodedIfNaive = 0;
  let closedEarly = 0;
  const identity = Buffer.concat([
    Buffer.from(JSON.stringify(blueprintSample())),
    Buffer.alloc(MiB, 0x20),
  ]).subarray(0, MiB + 1);
  for (const [kind, count] of plan) {
    for (let i = 0; i < count; i++) {
      let res: RawResponse;
      try {
        if (kind === 'chunked-2MiB') res = await sendChunked(base, 2 * MiB, auth);
        else if (kind === 'identity-1MiB+1')
          res = await send(new Agent({ keepAlive: false }), base, {
            path: '/api/push',
            headers: auth,
            body: identity,
          });
        else {
          bombBytesDecodedIfNaive += decodedBytes[kind];
          res = await send(agent, base, {
            path: '/api/push',
            headers: { ...auth, 'content-encoding': 'gzip' },
            body: bombs[kind],
          });
        }
      } catch (err) {
        // The server answered 413 and closed while the client was still writing the body: the
        // kernel may reset the connection before the client reads the answer. That is a refusal
        // too (nothing is queued, checked below); any other error fails the test.
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EPIPE' && code !== 'ECONNRESET') throw err;
        closedEarly++;
        statuses.push(0); // tallied as "0": reset before the 413 could be read
        countIn(byKind, kind, 0);
        continue;
      }
      statuses.push(res.status);
      latencies.push(res.ms);
      countIn(byKind, kind, res.status);
      const problem = String(res.headers['content-type']).startsWith('application/problem+json');
      if (res.status !== 413 || !problem) bad.push(`${kind}: ${res.status} ${res.body.slice(0, 120)}`);
    }
  }
  agent.destroy();
  const cpuUsed = cpuSeconds(pid) - cpuBefore;
  const naiveCpu = (bombBytesDecodedIfNaive / (100 * MiB)) * fullDecodePer100MB;
  const rssAfter = api.rss(0);
  const after = await api.state();
  printFigures('S2', {
    requests: statuses.length,
    statuses: tally(statuses),
    by_kind: byKind,
    bomb_sizes_bytes: Object.fromEntries(Object.entries(bombs).map(([k, v]) => [k, v.length])),
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    api_cpu_s: Math.round(cpuUsed * 100) / 100,
    cpu_to_decode_all_bombs_s: Math.round(naiveCpu * 10) / 10,
    rss_before_mb: Math.round(rssBefore / MiB),
    rss_after_mb: Math.round(rssAfter / MiB),
    same_pid: api.apis[0]?.pid === pid,
    state_before: before,
    state_after: after,
    unexpected: bad.slice(0, 5),
    reset_before_answer_read: closedEarly,
  });
  expect(statuses).toHaveLength(1000);
  expect(bad).toEqual([]);
  expect(after).toEqual(before);
  expect(api.apis[0]?.running).toBe(true);
  expect(api.apis[0]?.pid).toBe(pid);
  expect(rssAfter - rssBefore).toBeLessThan(50 * MiB);
  // Decoding every bomb in full would cost naiveCpu; the API stops at 1 MiB of each.
  expect(cpuUsed).toBeLessThan(naiveCpu * 0.25);

  // Control: a gzip body under the limit is accepted and queued.
  const ok = await send(new Agent(), base, {
    path: '/api/push',
    headers: { ...auth, 'content-encoding': 'gzip' },
    body: gzipSync(JSON.stringify(blueprintSample())),
  });
  expect(ok.status).toBe(202);
  expect((await api.state()).queued).toBe(before.queued + 1);
}, 600_000);
