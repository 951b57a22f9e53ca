import { Redis } from 'ioredis';
import pg from 'pg';
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts';
import { freePort } from './free-port.ts';
import { type NginxServer, startNginx } from './nginx-server.ts';
import type { OracleSample } from './oracle.ts';
import { type PostgresServer, type PostgresServerOptions, startPostgresServer } from './postgres-server.ts';
import { type RedisServer, type RedisServerOptions, startRedisServer } from './redis-server.ts';
import { createRoleProcess, type ExitInfo, type RoleProcess, runFiberstack } from './role-process.ts';

export interface TopologyOptions {
  apis?: number;
  etls?: number;
  /** nginx in front of the APIs (default true); false: `url` is API 0. */
  nginx?: boolean;
  /** Default: AOF on, fsync everysec (a stop/start keeps the stream). */
  redis?: RedisServerOptions;
  /** Default: the test cluster's settings (fsync off). */
  postgres?: PostgresServerOptions;
  /** Env for every process (e.g. QUEUE_HIGH_WATER_MARK, RATE_LIMIT_ENABLED). */
  env?: Record<string, string>;
  apiEnv?: Record<string, string>;
  etlEnv?: Record<string, string>;
  /** Route ETL→PostgreSQL through a fault proxy (`pgProxy`). */
  etlDbProxy?: boolean;
}

export interface QueueState {
  /** XLEN: entries not yet acked (acked entries are deleted). */
  length: number;
  pending: number;
  dead: number;
  errors: number;
  /** Pending entries per consumer. */
  consumers: Record<string, number>;
}

export interface Topology {
  /** Base URL the probes use (nginx, or API 0 without nginx). */
  url: string;
  adminToken: string;
  stream: string;
  postgres: PostgresServer;
  redis: RedisServer;
  /** ETL→PG fault proxy when etlDbProxy was set. */
  pgProxy: FaultProxy | undefined;
  nginx: NginxServer | undefined;
  apis: RoleProcess[];
  etls: RoleProcess[];
  /** A test-side Redis connection (reconnects on its own). */
  redisClient: Redis;
  /** A test-side pool on the topology's database. */
  db: pg.Pool;
  createKey(nodeId: string): Promise<string>;
  killApi(i: number, signal?: NodeJS.Signals): Promise<ExitInfo>;
  restartApi(i: number): Promise<void>;
  killEtl(i: number, signal?: NodeJS.Signals): Promise<ExitInfo>;
  /** Starts ETL i again; a new consumer name unless sameConsumer (crashed pods get new names). */
  restartEtl(i: number, options?: { sameConsumer?: boolean; env?: Record<string, string> }): Promise<void>;
  /** Consumer name ETL i currently runs as. */
  etlConsumer(i: number): string;
  /** SIGTERM (AOF flushed); `kill` for kill -9. */
  stopRedis(signal?: NodeJS.Signals): Promise<void>;
  startRedis(): Promise<void>;
  /** Fast shutdown (SIGINT) by default. */
  stopPostgres(signal?: NodeJS.Signals): Promise<void>;
  startPostgres(): Promise<void>;
  queueStats(): Promise<QueueState>;
  countRows(): Promise<number>;
  /** Every stored sample as the oracle sees it (seq from the `extra` column). */
  storedSamples(): Promise<OracleSample[]>;
  /** Waits until the stream is empty and nothing is pending; returns the time it took. */
  waitDrained(timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

/** A secret of n characters for ADMIN_TOKEN / API_KEY_SECRET. */
function secret(n: number): string {
  let s = '';
  while (s.length < n) s += Math.random().toString(36).slice(2);
  return s.slice(0, n);
}

/**
 * The production topology on throwaway servers: PostgreSQL, Redis, N `fiberstack api`, M
 * `fiberstack etl` (child processes of the project's own CLI) and nginx in front of the APIs.
 * stop() ends every process it started, by its own handle.
 */
export async function startTopology(options: TopologyOptions = {}): Promise<Topology> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const fn of cleanups.reverse().splice(0)) await fn().catch(() => {});
  };
  try {
    return await build(options, cleanups, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function build(
  options: TopologyOptions,
  cleanups: (() => Promise<unknown>)[],
  stopAll: () => Promise<void>,
): Promise<Topology> {
  const adminToken = secret(32);
  const stream = 'fiberstack:samples';
  const [postgres, redis] = await Promise.all([
    startPostgresServer(options.postgres),
    startRedisServer(options.redis ?? { appendonly: true, appendfsync: 'everysec' }),
  ]);
  cleanups.push(
    () => postgres.stop(),
    () => redis.stop(),
  );
  let pgProxy: FaultProxy | undefined;
  if (options.etlDbProxy) {
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: postgres.port } });
    pgProxy = proxy;
    cleanups.push(() => proxy.close());
  }
  const base: Record<string, string> = {
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    ADMIN_TOKEN: adminToken,
    API_KEY_SECRET: secret(40),
    ENV: 'production',
    HOST: '127.0.0.1',
    QUEUE_STREAM: stream,
    RATE_LIMIT_ENABLED: 'false',
    LOG_LEVEL: 'info',
    ...options.env,
  };
  await runFiberstack(['migrate'], base);
  const db = new pg.Pool({ connectionString: postgres.url, max: 2 });
  db.on('error', () => {});
  cleanups.push(() => db.end());
  const redisClient = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: false });
  redisClient.on('error', () => {});
  cleanups.push(async () => redisClient.disconnect());

  const apis: RoleProcess[] = [];
  for (let i = 0; i < (options.apis ?? 2); i++) {
    const port = await freePort();
    apis.push(
      createRoleProcess(`api-${i}`, ['api'], port, () => ({
        ...base,
        ...options.apiEnv,
        PORT: String(port),
      })),
    );
  }
  const consumers: string[] = [];
  const etls: RoleProcess[] = [];
  for (let i = 0; i < (options.etls ?? 2); i++) {
    const port = await freePort();
    consumers.push(`etl-${i}`);
    const etlDb = pgProxy ? postgres.url.replace(`:${postgres.port}/`, `:${pgProxy.port}/`) : postgres.url;
    etls.push(
      createRoleProcess(`etl-${i}`, ['etl'], port, () => ({
        ...base,
        DATABASE_URL: etlDb,
        ...options.etlEnv,
        ETL_METRICS_PORT: String(port),
        ETL_METRICS_HOST: '127.0.0.1',
        ETL_CONSUMER: consumers[i] ?? `etl-${i}`,
      })),
    );
  }
  const roles = [...apis, ...etls];
  cleanups.push(() => Promise.all(roles.map((r) => r.kill('SIGKILL'))));
  await Promise.all(roles.map((r) => r.start()));
  let nginx: NginxServer | undefined;
  if (options.nginx ?? true) {
    const server = await startNginx(apis.map((a) => a.port));
    nginx = server;
    cleanups.push(() => server.stop());
  }
  const url = nginx?.url ?? `http://127.0.0.1:${apis[0]?.port}`;
  const restarts = new Map<number, number>();
  const at = <T>(list: T[], i: number): T => {
    const item = list[i];
    if (item === undefined) throw new Error(`no process ${i}`);
    return item;
  };

  async function queueStats(): Promise<QueueState> {
    const [length, dead, errors] = await Promise.all([
      redisClient.xlen(stream),
      redisClient.xlen(`${stream}:dead`),
      redisClient.xlen(`${stream}:errors`),
    ]);
    const summary = (await redisClient.xpending(stream, 'etl').catch(() => [0, null, null, null])) as [
      number,
      unknown,
      unknown,
      [string, string][] | null,
    ];
    const perConsumer: Record<string, number> = {};
    for (const [name, count] of summary[3] ?? []) perConsumer[name] = Number(count);
    return { length, pending: Number(summary[0]), dead, errors, consumers: perConsumer };
  }

  return {
    url,
    adminToken,
    stream,
    postgres,
    redis,
    pgProxy,
    nginx,
    apis,
    etls,
    redisClient,
    db,
    async createKey(nodeId) {
      const res = await fetch(`${url}/api/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ node_id: nodeId }),
      });
      const body = (await res.json()) as { key?: string };
      if (res.status !== 201 && res.status !== 200) throw new Error(`createKey ${res.status}`);
      if (!body.key) throw new Error('createKey: no key in the answer');
      return body.key;
    },
    killApi: (i, signal = 'SIGKILL') => at(apis, i).kill(signal),
    restartApi: (i) => at(apis, i).start(),
    killEtl: (i, signal = 'SIGKILL') => at(etls, i).kill(signal),
    async restartEtl(i, opts = {}) {
      if (!opts.sameConsumer) {
        const n = (restarts.get(i) ?? 0) + 1;
        restarts.set(i, n);
        consumers[i] = `etl-${i}-r${n}`;
      }
      await at(etls, i).start(opts.env);
    },
    etlConsumer: (i) => at(consumers, i),
    async stopRedis(signal = 'SIGTERM') {
      await redis.kill(signal);
    },
    startRedis: () => redis.restart(),
    stopPostgres: (signal = 'SIGINT') => postgres.kill(signal),
    startPostgres: () => postgres.start(),
    queueStats,
    async countRows() {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM samples');
      return rows[0]?.n ?? 0;
    },
    async storedSamples() {
      const { rows } = await db.query<OracleSample>(
        `SELECT node_id AS node, target, "check", (extra->>'seq')::bigint::float8 AS seq FROM samples`,
      );
      return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
    },
    async waitDrained(timeoutMs) {
      const started = Date.now();
      for (;;) {
        const s = await queueStats().catch(() => null);
        if (s && s.length === 0 && s.pending === 0) return Date.now() - started;
        if (Date.now() - started > timeoutMs) throw new Error(`not drained after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: stopAll,
  };
}
