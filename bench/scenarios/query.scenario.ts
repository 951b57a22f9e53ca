import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_PROBES, openPostgres, refreshRollups } from '@fiberstack/db';
import { createRoleProcess, freePort, type RoleProcess } from '@fiberstack/testing';
import { createGetClient } from '../http-load.ts';
import { type Dataset, prepareDataset } from '../query-dataset.ts';
import { percentile } from '../result.ts';

const DAY = 86_400_000;
/** The API's statement timeout in this benchmark (DB_STATEMENT_TIMEOUT_API_MS, also its default). */
const STATEMENT_TIMEOUT_MS = 5_000;
/** Warm-up calls before the measured ones (fewer when they take longer than WARM_UP_BUDGET_MS). */
const WARM_UP = 10;
const WARM_UP_BUDGET_MS = 3_000;
/** A case stops early after this long (with at least MIN_RUNS calls), so slow cases stay bounded. */
const CASE_BUDGET_MS = 12_000;
const MIN_RUNS = 20;
/** The ETL scheduler's default rollup interval (ETL_ROLLUP_INTERVAL_S). */
const ROLLUP_INTERVAL_MS = 60_000;

interface Case {
  name: string;
  path: string;
  /** The path of the i-th call instead of `path` (every call another node: nothing cached). */
  pathOf?: (i: number) => string;
  /** p95 target, ms; undefined for raw reads, which are bounded by the statement timeout only. */
  target?: number;
  /** Calls (after the warm-up) instead of --runs. */
  runs?: number;
  /** Measured while every probe's batch arrives once a minute (see liveChurn). */
  live?: boolean;
}

/**
 * The same requests on both engines: `nodes` the fleet (the first is the node of the one-node
 * cases), `end` the current minute.
 */
function cases(nodes: readonly string[], end: Date): Case[] {
  const node = nodes[0] as string;
  const at = (msBefore: number) => new Date(end.getTime() - msBefore).toISOString();
  const to = end.toISOString();
  const hourly = (n: string) =>
    `/api/metrics?node_id=${n}&aggregation=hourly&start=${at(7 * DAY)}&end=${to}&check=icmp`;
  return [
    { name: 'fleet overview (GET /api/fleet)', path: '/api/fleet', target: 20 },
    { name: 'fleet overview, every probe pushing 1/min', path: '/api/fleet', target: 20, live: true },
    // The API keeps rollup answers until the rollups change (a minute apart): repeated calls
    // for one node are answered from that cache. The second case asks for another node and
    // another `limit` (far above the 168 points) each call, so none finds a kept answer.
    { name: "node's 7-day hourly series", path: hourly(node), target: 5 },
    {
      name: "node's 7-day hourly, another node each call",
      path: hourly(node),
      pathOf: (i) => `${hourly(nodes[(i + 1) % nodes.length] as string)}&limit=${20_000 - i}`,
      target: 5,
    },
    { name: 'per-country aggregates, 24 h', path: '/api/regions', target: 20 },
    {
      name: 'per-country aggregates, 7 d daily',
      path: `/api/regions?aggregation=daily&start=${at(7 * DAY)}&end=${to}`,
      target: 20,
    },
    {
      name: 'per-country aggregates, 7 d hourly',
      path: `/api/regions?aggregation=hourly&start=${at(7 * DAY)}&end=${to}`,
      target: 20,
    },
    {
      name: "node's raw 6 h range (2 targets)",
      path: `/api/metrics?node_id=${node}&start=${at(DAY / 4)}&end=${to}&limit=20000`,
    },
    {
      name: "node's 7 d raw, bucketed to 1500 points",
      path: `/api/metrics?node_id=${node}&start=${at(7 * DAY)}&end=${to}&max_points=1500&limit=20000`,
    },
    // The worst raw read a client can ask for: 400 days (the API's limit), every sample read and
    // bucketed. It is bounded by the statement timeout: it answers 200, or 503 when cancelled.
    {
      name: "node's 400 d raw, bucketed to 100 points",
      path: `/api/metrics?node_id=${node}&start=${at(400 * DAY)}&end=${to}&max_points=100&limit=20000`,
      runs: 5,
    },
  ];
}

interface CaseResult {
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  runs: number;
  /** The target, or for a raw read the statement timeout (null: none, PGlite). */
  target_p95_ms: number | null;
  bounded_by_statement_timeout: boolean;
  verdict: 'OK' | 'SLOW' | 'ERROR';
  status: Record<string, number>;
}

/**
 * Calls one endpoint sequentially: warm-up, then --runs measured calls (stopping early after
 * CASE_BUDGET_MS once MIN_RUNS are in). `timeoutMs` is the engine's statement timeout, which is
 * the bound of a raw read (undefined: the engine has none).
 */
async function timeCase(
  base: string,
  c: Case,
  runs: number,
  timeoutMs: number | undefined,
  churn?: Churn,
): Promise<CaseResult> {
  const stopChurn = c.live && churn ? churn() : undefined;
  try {
    return await timeCalls(base, c, runs, timeoutMs);
  } finally {
    await stopChurn?.();
  }
}

/**
 * Starts what live ingest does to the nodes a read depends on: each probe's batch raises its
 * node's version once a minute (as loadSamples does), spread evenly over the minute, so a
 * request finds the nodes changed since the one before. Returns a function that stops it.
 */
type Churn = () => () => Promise<void>;

async function timeCalls(
  base: string,
  c: Case,
  runs: number,
  timeoutMs: number | undefined,
): Promise<CaseResult> {
  let calls = 0;
  const client = createGetClient(base);
  const call = async () => {
    const path = c.pathOf ? c.pathOf(calls) : c.path;
    calls += 1;
    const { ms, status } = await client.get(path);
    return { ms, status: String(status) };
  };
  const warmStarted = performance.now();
  for (let i = 0; i < WARM_UP && performance.now() - warmStarted < WARM_UP_BUDGET_MS; i++) await call();
  const ms: number[] = [];
  const status: Record<string, number> = {};
  const started = performance.now();
  const want = c.runs ?? runs;
  while (ms.length < want && (ms.length < MIN_RUNS || performance.now() - started < CASE_BUDGET_MS)) {
    const r = await call();
    ms.push(r.ms);
    status[r.status] = (status[r.status] ?? 0) + 1;
  }
  client.close();
  ms.sort((a, b) => a - b);
  const p95 = percentile(ms, 95);
  const target = c.target ?? timeoutMs;
  // A raw read may be cancelled by the statement timeout (503 FS_ERR_QUERY_TIMEOUT): still bounded.
  const allowed = c.target === undefined ? ['200', '503'] : ['200'];
  const failed = Object.keys(status).some((s) => !allowed.includes(s));
  return {
    p50_ms: round(percentile(ms, 50)),
    p95_ms: round(p95),
    p99_ms: round(percentile(ms, 99)),
    max_ms: round(ms.at(-1) ?? Number.NaN),
    runs: ms.length,
    target_p95_ms: target ?? null,
    bounded_by_statement_timeout: c.target === undefined,
    verdict: failed ? 'ERROR' : target === undefined || p95 < target ? 'OK' : 'SLOW',
    status,
  };
}

async function runCases(
  base: string,
  list: Case[],
  runs: number,
  timeoutMs: number | undefined,
  churn?: Churn,
): Promise<Record<string, CaseResult>> {
  const results: Record<string, CaseResult> = {};
  const num = (v: number) => v.toFixed(1).padStart(7);
  for (const c of list) {
    if (c.live && !churn) continue;
    const r = await timeCase(base, c, runs, timeoutMs, churn);
    results[c.name] = r;
    const target =
      c.target !== undefined
        ? `target p95 < ${c.target} ms`
        : timeoutMs !== undefined
          ? `bounded: statement timeout ${timeoutMs / 1000} s`
          : 'no target: no statement timeout on PGlite';
    const statuses =
      Object.keys(r.status).length > 1 || !r.status['200'] ? ` ${JSON.stringify(r.status)}` : '';
    process.stdout.write(
      `  ${c.name.padEnd(42)} p50 ${num(r.p50_ms)} ms  p95 ${num(r.p95_ms)} ms  p99 ${num(r.p99_ms)} ms  n=${String(r.runs).padEnd(4)} (${target}) ${r.verdict}${statuses}\n`,
    );
  }
  return results;
}

/** Runs `fiberstack api` (production mode, no Redis) on the kept PostgreSQL data set. */
async function postgresRun(ds: Dataset, runs: number): Promise<Record<string, CaseResult>> {
  const port = await freePort();
  const api = createRoleProcess('api', ['api'], port, () => ({
    DATABASE_URL: ds.url,
    ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef',
    API_KEY_SECRET: 'bench-api-key-secret-0123456789abcdef',
    ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_ENABLED: 'false',
    DB_STATEMENT_TIMEOUT_API_MS: String(STATEMENT_TIMEOUT_MS),
  }));
  // `fiberstack api` alone: the ETL's scheduler, which refreshes the rollups (and the fleet
  // overview's precomputed window when the hour turns) every minute, is played by this process.
  const db = await openPostgres({
    connectionString: ds.url,
    max: 2,
    applicationName: 'fiberstack-bench-rollups',
  });
  let refreshing: Promise<unknown> = refreshRollups(db);
  await refreshing;
  const timer = setInterval(() => {
    refreshing = refreshing.then(() => refreshRollups(db)).catch(() => undefined);
  }, ROLLUP_INTERVAL_MS);
  await api.start();
  const churn: Churn = () => {
    const TICK_MS = 100;
    const perTick = ds.nodes.length / (60_000 / TICK_MS);
    let owed = 0;
    let next = 0;
    let running: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      owed += perTick;
      const ids: string[] = [];
      for (; owed >= 1; owed -= 1) ids.push(ds.nodes[next++ % ds.nodes.length] as string);
      if (ids.length > 0)
        running = running.then(() =>
          db.query('UPDATE nodes SET version = version + 1 WHERE node_id = ANY($1::text[])', [ids]),
        );
    }, TICK_MS);
    return async () => {
      clearInterval(timer);
      await running;
    };
  };
  try {
    const base = `http://127.0.0.1:${port}`;
    return await runCases(base, cases(ds.nodes, ds.until), runs, STATEMENT_TIMEOUT_MS, churn);
  } finally {
    clearInterval(timer);
    await api.kill('SIGTERM');
    await refreshing;
    await db.close();
  }
}

/** What `fiberstack up --demo` logged about the demo set it loaded (pino JSON line). */
function demoLoaded(up: RoleProcess): { samples?: number; nodes?: number; duration_ms?: number } {
  for (const line of up.lines) {
    if (!line.includes('demo data loaded')) continue;
    try {
      return JSON.parse(line) as { samples?: number; nodes?: number; duration_ms?: number };
    } catch {}
  }
  return {};
}

/** Runs `fiberstack up --demo` (PGlite, embedded queue) in a temporary data directory. */
async function pgliteRun(runs: number): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fiberstack-bench-query-'));
  const port = await freePort();
  const up = createRoleProcess(
    'up',
    ['up', '--demo', '--data-dir', dataDir, '--port', String(port)],
    port,
    () => ({ LOG_LEVEL: 'info', RATE_LIMIT_ENABLED: 'false' }),
  );
  try {
    const started = performance.now();
    await up.start();
    const loaded = demoLoaded(up);
    const set = `fiberstack up --demo: ${loaded.nodes ?? 15} probes × 7 days, ${(loaded.samples ?? Number.NaN).toLocaleString('en-US')} raw rows`;
    process.stdout.write(
      `\nPGlite (embedded, ${set}; loaded and ready in ${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
    );
    const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const endpoints = await runCases(
      `http://127.0.0.1:${port}`,
      cases(
        DEMO_PROBES.map((p) => p.node_id),
        end,
      ),
      runs,
      undefined,
    );
    return {
      set,
      rows: loaded.samples ?? null,
      nodes: loaded.nodes ?? null,
      demo_load_ms: loaded.duration_ms ?? null,
      endpoints,
    };
  } finally {
    await up.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * `npm run bench -- query [--probes 1000] [--days 7] [--runs 200] [--fresh] [--skip-pglite]`: read
 * latency of a real `fiberstack api` process on PostgreSQL 15 holding `days` of minute data for
 * `probes` probes (default 1,000 × 7 days ≈ 12 M raw rows: ICMP every minute, HTTPS every 5
 * minutes), with hourly and daily rollups. The data set is loaded once with COPY into a kept
 * database and reused (topped up to now) by later runs; see prepareDataset. Then the same
 * requests against the embedded mode (`fiberstack up --demo`: PGlite, 15 probes × 7 days).
 * Each request is made sequentially (--runs after up to 10 warm-up calls; a case stops after 12 s
 * once 20 calls are in);
 * figures are HTTP round trips on loopback.
 */
export async function queryScenario(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      probes: { type: 'string', default: '1000' },
      days: { type: 'string', default: '7' },
      runs: { type: 'string', default: '200' },
      fresh: { type: 'boolean', default: false },
      'skip-pglite': { type: 'boolean', default: false },
    },
  });
  const probes = Number(values.probes);
  const days = Number(values.days);
  const runs = Number(values.runs);
  if (!Number.isInteger(probes) || probes < 1) throw new Error('--probes must be a whole number ≥ 1');
  if (!(days > 0 && days <= 30)) throw new Error('--days must be more than 0 and at most 30');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number ≥ 1');

  const started = performance.now();
  const ds = await prepareDataset({
    probes,
    days,
    fresh: values.fresh,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const how =
    ds.action === 'built'
      ? `built in ${ds.load?.seconds} s, ${ds.load?.rows_per_s.toLocaleString('en-US')} rows/s`
      : ds.action === 'topped-up'
        ? `kept, topped up with ${ds.load?.rows.toLocaleString('en-US')} rows in ${ds.load?.seconds} s`
        : 'kept, reused as it was';
  process.stdout.write(
    `\nPostgreSQL 15 (${ds.database}: ${ds.rows.toLocaleString('en-US')} raw rows, ${probes.toLocaleString('en-US')} probes × ${days} days of minute data, ${ds.from.toISOString()} – ${ds.until.toISOString()}; ${how})\n`,
  );
  const postgres = await postgresRun(ds, runs);
  const pglite = values['skip-pglite'] ? undefined : await pgliteRun(runs);
  process.stdout.write(`\nquery: ${((performance.now() - started) / 1000).toFixed(0)} s in all\n`);
  return {
    runs,
    warm_up: WARM_UP,
    case_budget_s: CASE_BUDGET_MS / 1000,
    min_runs: MIN_RUNS,
    statement_timeout_ms: STATEMENT_TIMEOUT_MS,
    postgres: {
      database: ds.database,
      dataset: ds.action,
      reason: ds.reason,
      rows: ds.rows,
      probes,
      days,
      from: ds.from.toISOString(),
      until: ds.until.toISOString(),
      ...(ds.load ? { load: ds.load } : {}),
      endpoints: postgres,
    },
    ...(pglite ? { pglite } : {}),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;
