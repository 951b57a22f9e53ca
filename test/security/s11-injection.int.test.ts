import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { buildApi, loadApiConfig } from '@fiberstack/api';
import { type Db, migrate, openPostgres } from '@fiberstack/db';
import { createEtlWorker, loadEtlConfig } from '@fiberstack/etl';
import { createLogger } from '@fiberstack/logging';
import { createEmbeddedQueue, type Queue } from '@fiberstack/queue';
import { type PostgresServer, startPostgresServer } from '@fiberstack/testing';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_TOKEN, API_KEY_SECRET, blueprintSample, printFigures, tally } from './support.ts';

/**
 * S11: 1 000 SQL-injection payloads in every string field of a push (free-text fields are stored
 * verbatim through the real ETL; pattern-bound fields are refused 400) and in every read-route
 * parameter, then 500 log-injection payloads. On a throwaway PostgreSQL whose server log is read:
 * 0 SQL errors logged, 0 × 5xx, every API log line a single JSON object, no forged line.
 * Embedded queue (the PostgreSQL inbox): the statements under test are the ETL's and the reads'.
 */
const SEED = 11_011;
const NODE = 'probe-gh-accra-01';

const TEMPLATES = [
  "' OR '1'='1",
  "' OR 1=1 --",
  "'; DROP TABLE samples; --",
  "'); DROP TABLE api_keys; --",
  '" OR ""="',
  '1; SELECT pg_sleep(5)',
  "' UNION SELECT hash FROM api_keys --",
  '$$; DELETE FROM nodes; $$',
  "\\'; TRUNCATE events; --",
  "'||(SELECT current_user)||'",
  "1'::int",
  "%' AND 1=0 UNION SELECT NULL --",
  "'; COPY samples TO '/tmp/x'; --",
  "E'\\x27 OR 1=1",
  "admin'/*",
  '*/ OR /*',
  "'; SET statement_timeout=0; --",
  "' AND extractvalue(1,concat(0x7e,version())) --",
  '`; DROP TABLE samples; `',
  "'); INSERT INTO api_keys VALUES ('x','x','x','x'); --",
];

const payloads = fc.sample(
  fc
    .tuple(fc.constantFrom(...TEMPLATES), fc.constantFrom('', 'x', 'Ghana', '0', '%'), fc.boolean())
    .map(([t, pre, upper]) => `${pre}${upper ? t.toUpperCase() : t}`),
  { seed: SEED, numRuns: 1000 },
);

let server: PostgresServer;
let db: Db;
let queue: Queue;
let app: FastifyInstance;
let key: string;
const logChunks: string[] = [];
const pgLog = () => readFileSync(join(dirname(server.dataDir), 'postgres.log'), 'utf8');
const sqlErrors = () =>
  pgLog()
    .split('\n')
    .filter((l) => /\b(ERROR|FATAL|PANIC):/.test(l));

beforeAll(async () => {
  server = await startPostgresServer();
  db = await openPostgres({ connectionString: server.url, max: 4 });
  await migrate(db);
  queue = createEmbeddedQueue({ db });
  const destination = new Writable({
    write(chunk: Buffer, _e, cb) {
      logChunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  app = await buildApi(
    {
      db,
      queue,
      logger: createLogger({ service: 'api', version: 'test', level: 'info', destination }),
      adminToken: ADMIN_TOKEN,
      apiKeySecret: API_KEY_SECRET,
      mode: 'embedded',
      version: '0.1.0',
    },
    loadApiConfig({ ENV: 'test', RATE_LIMIT_ENABLED: 'false' }),
  );
  const res = await app.inject({
    method: 'POST',
    url: '/api/keys',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    payload: { node_id: NODE },
  });
  key = res.json().key;
}, 120_000);
afterAll(async () => {
  await app?.close();
  await queue?.close();
  await db?.close();
  await server?.stop();
});

const push = (payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/api/push',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    payload: JSON.stringify(payload),
  });

async function runEtl(): Promise<number> {
  const silent = createLogger({
    service: 'etl',
    version: 'test',
    level: 'warn',
    destination: new Writable({ write: (_c, _e, cb) => cb() }),
  });
  const worker = createEtlWorker(
    { db, queue, logger: silent },
    loadEtlConfig({ ETL_CONSUMER: 's11', ETL_BLOCK_MS: '0' }),
  );
  let inserted = 0;
  for (;;) {
    const r = await worker.runOnce();
    inserted += r.inserted;
    if (r.outcome === 'empty') return inserted;
  }
}

it('S11 stores 1 000 SQL-injection payloads verbatim, refuses them where patterns apply, logs no SQL error', async () => {
  const errorsBefore = sqlErrors().length;
  const statuses: number[] = [];
  const t0 = Date.now();
  // Free-text fields: region (≤ 64), target (no whitespace), a label value. Stored as data.
  const accepted: { region: string; target: string; label: string }[] = [];
  for (let i = 0; i < payloads.length; i += 100) {
    const samples = payloads.slice(i, i + 100).map((p, j) => {
      const fields = {
        region: `${p}`.slice(0, 60).trim() || 'x',
        target: `${i + j}-${p.replace(/\s+/g, '/**/')}`.slice(0, 2048),
        label: p,
      };
      accepted.push(fields);
      return blueprintSample({
        region: fields.region,
        target: fields.target,
        labels: { probe_note: fields.label },
        timestamp: new Date(t0 - (i + j) * 1000).toISOString(),
      });
    });
    const res = await push({ samples });
    statuses.push(res.statusCode);
    expect(res.json()).toMatchObject({ accepted: samples.length, rejected: [] });
  }
  // Pattern-bound fields: node_id, country, check, label key. Every sample refused.
  let refused = 0;
  for (const field of ['node_id', 'country', 'check', 'labels']) {
    for (let i = 0; i < payloads.length; i += 100) {
      const samples = payloads
        .slice(i, i + 100)
        .map((p) => blueprintSample(field === 'labels' ? { labels: { [p]: 'x' } } : { [field]: p }));
      const res = await push({ samples });
      statuses.push(res.statusCode);
      refused += res.json().rejected?.length ?? 0;
    }
  }
  const inserted = await runEtl();
  const { rows } = await db.query<{ region: string; target: string; label: string | null }>(
    `SELECT region, target, extra->'labels'->>'probe_note' AS label FROM samples WHERE node_id = $1`,
    [NODE],
  );
  const stored = new Map(rows.map((r) => [r.target, r]));
  const mismatched = accepted.filter((a) => {
    const r = stored.get(a.target);
    return !r || r.region !== a.region || r.label !== a.label;
  });
  // Read routes: every payload in one parameter, in rotation.
  const readStatuses: number[] = [];
  const reads = [
    (p: string) => `/api/metrics?node_id=${encodeURIComponent(p)}`,
    (p: string) => `/api/metrics?node_id=${NODE}&target=${encodeURIComponent(p)}`,
    (p: string) => `/api/events?q=${encodeURIComponent(p.slice(0, 200))}`,
    (p: string) => `/api/events?kind=${encodeURIComponent(p)}`,
    (p: string) => `/api/events?node_id=${encodeURIComponent(p)}`,
    (p: string) => `/api/fleet/${encodeURIComponent(p)}`,
  ];
  for (const [i, p] of payloads.entries()) {
    const res = await app.inject({ url: (reads[i % reads.length] as (p: string) => string)(p) });
    readStatuses.push(res.statusCode);
  }
  const keys = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys');
  const errorsAfter = sqlErrors();
  printFigures('S11', {
    part: 'sql',
    seed: SEED,
    payloads: payloads.length,
    push_requests: statuses.length,
    push_statuses: tally(statuses),
    samples_stored: inserted,
    stored_verbatim: accepted.length - mismatched.length,
    refused_in_pattern_fields: refused,
    read_requests: readStatuses.length,
    read_statuses: tally(readStatuses),
    five_xx: [...statuses, ...readStatuses].filter((s) => s >= 500).length,
    pg_log_errors: errorsAfter.length - errorsBefore,
    api_keys_rows: keys.rows[0]?.n,
    examples: errorsAfter.slice(errorsBefore, errorsBefore + 3),
  });
  expect(inserted).toBe(payloads.length);
  expect(mismatched).toEqual([]);
  expect(refused).toBe(4 * payloads.length);
  expect([...statuses, ...readStatuses].filter((s) => s >= 500)).toEqual([]);
  expect(readStatuses.every((s) => s === 200 || s === 400 || s === 404)).toBe(true);
  expect(errorsAfter.length - errorsBefore).toBe(0);
  expect(keys.rows[0]?.n).toBe(1);
}, 300_000);

it('S11 keeps 500 log-injection payloads out of the log structure', async () => {
  const FORGED = '{"level":50,"msg":"forged admin login"}';
  const base = ['\n', '\r\n', '\r', '\u2028', '\u001b[31m', '\u0000', '\\n', '%0a', '%0d%0a'];
  const logPayloads = fc.sample(
    fc
      .tuple(fc.constantFrom(...base), fc.constantFrom(FORGED, 'ok', '}{', '"', '\\"'))
      .map(([a, b]) => `x${a}${b}`),
    { seed: SEED + 1, numRuns: 500 },
  );
  const linesBefore = logChunks.join('').split('\n').filter(Boolean).length;
  const statuses: number[] = [];
  for (const [i, p] of logPayloads.entries()) {
    const where = i % 5;
    let res: { statusCode: number };
    if (where === 0) res = await push(blueprintSample({ region: p.slice(0, 64) }));
    else if (where === 1) res = await push(blueprintSample({ labels: { note: p } }));
    else if (where === 2)
      res = await app.inject({
        url: `/api/${encodeURIComponent(p)}`,
        headers: { 'user-agent': p.replace(/[\r\n\0]/g, ' ') },
      });
    else if (where === 3)
      res = await app.inject({ url: '/api/nodes', headers: { 'x-request-id': p.replace(/[\r\n\0]/g, ' ') } });
    else res = await push(blueprintSample({ node_id: p }));
    statuses.push(res.statusCode);
  }
  const lines = logChunks.join('').split('\n').filter(Boolean);
  const unparsable = lines.filter((l) => {
    try {
      return typeof JSON.parse(l) !== 'object';
    } catch {
      return true;
    }
  });
  const forged = lines.filter((l) => l.trim() === FORGED);
  printFigures('S11', {
    part: 'logs',
    seed: SEED + 1,
    payloads: logPayloads.length,
    statuses: tally(statuses),
    log_lines_written: lines.length - linesBefore,
    unparsable_lines: unparsable.length,
    forged_lines: forged.length,
  });
  expect(statuses.filter((s) => s >= 500)).toEqual([]);
  expect(lines.length).toBeGreaterThan(linesBefore);
  expect(unparsable).toEqual([]);
  expect(forged).toEqual([]);
}, 120_000);
