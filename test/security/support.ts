import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { Writable } from 'node:stream';
import { buildApi, loadApiConfig } from '@fiberstack/api';
import type { Db } from '@fiberstack/db';
import { createLogger } from '@fiberstack/logging';
import { createEmbeddedQueue, createRedisStreamsQueue, type Queue } from '@fiberstack/queue';
import {
  createRoleProcess,
  createTestDatabase,
  freePort,
  type RedisServer,
  type RoleProcess,
  startRedisServer,
  type TestDatabase,
} from '@fiberstack/testing';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';

export const ADMIN_TOKEN = 'security-admin-token-0123456789abcdef';
export const API_KEY_SECRET = 'security-api-key-secret-0123456789abcdef';
export const STREAM = 'fiberstack:samples';

export type Mode = 'embedded' | 'production';
export const MODES: readonly Mode[] = ['embedded', 'production'];

/** What the API could have written: queued entries and every table a request could touch. */
export interface State {
  /** Entries in the queue (inbox rows in embedded mode, XLEN of the stream in production). */
  queued: number;
  samples: number;
  nodes: number;
  events: number;
  api_keys: number;
  sample_errors: number;
}

export const blueprintSample = (overrides: Record<string, unknown> = {}) => ({
  node_id: 'probe-gh-accra-01',
  country: 'GH',
  region: 'Ghana',
  latency_ms: 45.2,
  uptime_pct: 99.5,
  packet_loss: 0.1,
  timestamp: new Date().toISOString(),
  ...overrides,
});

async function tableCounts(db: Db): Promise<Omit<State, 'queued'>> {
  const { rows } = await db.query<Omit<State, 'queued'>>(
    `SELECT (SELECT count(*) FROM samples)::int AS samples,
            (SELECT count(*) FROM nodes)::int AS nodes,
            (SELECT count(*) FROM events)::int AS events,
            (SELECT count(*) FROM api_keys)::int AS api_keys,
            (SELECT count(*) FROM sample_errors)::int AS sample_errors`,
  );
  const row = rows[0];
  if (!row) throw new Error('no counts');
  return row;
}

/** The real API (buildApi) in this process on a throwaway PostgreSQL database. */
export interface SecApi {
  mode: Mode;
  app: FastifyInstance;
  db: Db;
  queue: Queue;
  /** Every log line the API wrote, raw. */
  logText(): string;
  createKey(node_id: string, label?: string): Promise<{ id: string; key: string }>;
  state(): Promise<State>;
  close(): Promise<void>;
}

export interface SecApiOptions {
  env?: Record<string, string>;
  dashboardDir?: string;
  now?: () => number;
}

/**
 * Embedded mode: the PostgreSQL inbox queue in the same database. Production mode: Redis
 * Streams on a throwaway redis-server, rate-limit counters in that Redis. No ETL runs, so the
 * queue length is exactly what the API accepted.
 */
export async function startSecApi(mode: Mode, options: SecApiOptions = {}): Promise<SecApi> {
  const pg: TestDatabase = await createTestDatabase();
  let redisServer: RedisServer | undefined;
  let redis: Redis | undefined;
  let queue: Queue;
  if (mode === 'production') {
    redisServer = await startRedisServer();
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    queue = createRedisStreamsQueue({ url: redisServer.url, stream: STREAM, consumer: 'security' });
  } else {
    queue = createEmbeddedQueue({ db: pg.db });
  }
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = createLogger({ service: 'api', version: 'test', level: 'info', destination });
  const app = await buildApi(
    {
      db: pg.db,
      queue,
      logger,
      adminToken: ADMIN_TOKEN,
      apiKeySecret: API_KEY_SECRET,
      mode,
      version: '0.1.0',
      ...(redis ? { rateLimitRedis: redis } : {}),
      ...(options.dashboardDir ? { dashboardDir: options.dashboardDir } : {}),
      ...(options.now ? { now: options.now } : {}),
    },
    loadApiConfig({ ENV: 'test', RATE_LIMIT_ENABLED: 'false', ...options.env }),
  );
  return {
    mode,
    app,
    db: pg.db,
    queue,
    logText: () => chunks.join(''),
    async createKey(node_id, label = 'security') {
      const res = await app.inject({
        method: 'POST',
        url: '/api/keys',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        payload: { node_id, label },
      });
      if (res.statusCode !== 201) throw new Error(`createKey: ${res.statusCode} ${res.body}`);
      return res.json<{ id: string; key: string }>();
    },
    async state() {
      const counts = await tableCounts(pg.db);
      const queued = redis ? await redis.xlen(STREAM) : (await queue.stats()).depth;
      return { queued, ...counts };
    },
    async close() {
      await app.close();
      await queue.close();
      redis?.disconnect();
      await redisServer?.stop();
      await pg.drop();
    },
  };
}

/** Real `fiberstack api` processes (production mode: PostgreSQL + Redis Streams). */
export interface ApiProcesses {
  apis: RoleProcess[];
  urls: string[];
  redis: Redis;
  db: Db;
  createKey(node_id: string): Promise<{ id: string; key: string }>;
  state(): Promise<State>;
  /** Resident set size of API i in bytes (from /proc). */
  rss(i: number): number;
  stop(): Promise<void>;
}

export async function startApiProcesses(
  count: number,
  env: Record<string, string> = {},
): Promise<ApiProcesses> {
  const pg = await createTestDatabase();
  const redisServer = await startRedisServer();
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
  const apis: RoleProcess[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      apis.push(
        createRoleProcess(`api-${i}`, ['api'], port, () => ({
          DATABASE_URL: pg.url,
          REDIS_URL: redisServer.url,
          QUEUE_STREAM: STREAM,
          ADMIN_TOKEN,
          API_KEY_SECRET,
          ENV: 'production',
          HOST: '127.0.0.1',
          PORT: String(port),
          LOG_LEVEL: 'info',
          RATE_LIMIT_ENABLED: 'false',
          ...env,
        })),
      );
    }
    await Promise.all(apis.map((a) => a.start()));
  } catch (err) {
    await Promise.all(apis.map((a) => a.kill('SIGKILL')));
    redis.disconnect();
    await redisServer.stop();
    await pg.drop();
    throw err;
  }
  const urls = apis.map((a) => `http://127.0.0.1:${a.port}`);
  return {
    apis,
    urls,
    redis,
    db: pg.db,
    async createKey(node_id) {
      const res = await fetch(`${urls[0]}/api/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ node_id }),
      });
      if (res.status !== 201) throw new Error(`createKey ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string; key: string };
    },
    async state() {
      return { queued: await redis.xlen(STREAM), ...(await tableCounts(pg.db)) };
    },
    rss(i) {
      const pid = apis[i]?.pid ?? -1;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
      return Number(kb) * 1024;
    },
    async stop() {
      await Promise.all(apis.map((a) => a.kill('SIGTERM')));
      redis.disconnect();
      await redisServer.stop();
      await pg.drop();
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

/** One HTTP request over a keep-alive agent; the body may be any bytes. */
export function send(
  agent: Agent,
  base: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<RawResponse> {
  const url = new URL(base);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: opts.method ?? 'POST',
        path: opts.path,
        headers: opts.headers ?? {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - t0,
          }),
        );
        res.on('error', reject);
      },
    );
    // A server that answers early (413) may close while the body is still being written: the
    // answer usually still arrives, so an EPIPE/ECONNRESET only fails the request when it does not.
    req.on('error', (err) => {
      setTimeout(() => reject(err), 500);
    });
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

export const keepAlive = () => new Agent({ keepAlive: true, maxSockets: 8 });

/** Runs `tasks` with at most `concurrency` in flight; results in order. */
export async function pool<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}

/** Status code → count. */
export function tally(statuses: Iterable<number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, idx)] ?? 0) * 100) / 100;
}

/** One line of figures per security test (the test's report). */
export function printFigures(test: string, figures: Record<string, unknown>): void {
  process.stdout.write(`SECURITY ${JSON.stringify({ test, ...figures })}\n`);
}

/** A problem+json 4xx: the content type, the status family and a coded body. */
export function isProblem4xx(res: {
  statusCode?: number;
  status?: number;
  headers: Record<string, unknown>;
  body: string;
}): boolean {
  const status = res.statusCode ?? res.status ?? 0;
  if (status < 400 || status > 499) return false;
  if (!String(res.headers['content-type'] ?? '').startsWith('application/problem+json')) return false;
  try {
    const body = JSON.parse(res.body) as { status?: number; code?: string };
    return body.status === status && typeof body.code === 'string' && body.code.startsWith('FS_ERR_');
  } catch {
    return false;
  }
}

/** Sum of fiberstack_samples_rejected_total over every reason, read from /metrics. */
export async function rejectedTotal(app: FastifyInstance): Promise<number> {
  const res = await app.inject({ url: '/metrics' });
  let sum = 0;
  for (const line of res.body.split('\n')) {
    if (line.startsWith('fiberstack_samples_rejected_total')) sum += Number(line.split(' ').pop());
  }
  return sum;
}

/** Adds one to table[group][status]. */
export function countIn(table: Record<string, Record<string, number>>, group: string, status: number): void {
  const row = table[group] ?? {};
  row[status] = (row[status] ?? 0) + 1;
  table[group] = row;
}
