/**
 * The data set of `bench query`: a fleet of probes with a week (by default) of minute data in
 * its own database on the local PostgreSQL, loaded with COPY and kept between runs.
 *
 * Shapes follow the demo data set (packages/db/src/demo): an ICMP check every minute with a
 * diurnal evening peak, noise, loss bursts, link-down spells and power outages (gaps), and an
 * HTTPS check every 5 minutes with phase timings in `extra.http`. Rows are generated here and
 * streamed as COPY text (never held in memory); the nodes table, the node_first_seen events and
 * the rollups are then produced by the project's own loadSamples and refreshRollups, as the ETL
 * would.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type Db,
  DEMO_PROBES,
  type DemoProbe,
  insertEvents,
  loadMigrations,
  loadSamples,
  migrate,
  type NewEvent,
  openPostgres,
  refreshRollups,
  type SampleRow,
} from '@fiberstack/db';
import { sampleRow, TEST_PG_URL } from '@fiberstack/testing';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Every bench query database starts with this; `--fresh` drops them all. */
export const DATASET_PREFIX = 'fiberstack_bench_query_';
/** Bumped when the generator changes: a database built by another version is rebuilt. */
const GENERATOR_VERSION = 1;
/** A kept database is topped up to now while its data spans at most `days` + this much. */
const TOP_UP_SPAN_MS = DAY;
const HTTP_EVERY_MIN = 5;
const ICMP_TARGET = '1.1.1.1';

export interface DatasetOptions {
  probes: number;
  days: number;
  /** Drop every kept bench query database first and build anew. */
  fresh: boolean;
  log: (line: string) => void;
}

export interface LoadFigures {
  rows: number;
  seconds: number;
  rows_per_s: number;
  copy_seconds: number;
  rollup_seconds: number;
  vacuum_analyze_seconds: number;
}

export interface Dataset {
  database: string;
  url: string;
  /** built: loaded from scratch; topped-up: kept and brought up to now; reused: kept as it was. */
  action: 'built' | 'topped-up' | 'reused';
  /** Why it was built (or not reused as it was). */
  reason: string;
  probes: number;
  days: number;
  /** Raw rows in `samples`. */
  rows: number;
  /** [from, until): the minutes holding data. */
  from: Date;
  until: Date;
  nodes: string[];
  /** The load (or top-up) of this run. */
  load?: LoadFigures;
}

/** What the database comment records about its data set (JSON). */
interface DatasetState {
  state: 'loading' | 'ready';
  generator: number;
  probes: number;
  days: number;
  seed: number;
  /** Migrations (name:sha256 prefix) the data was loaded under. */
  migrations: string[];
  from: number;
  until: number;
  rows: number;
}

/** `probes` probes cloned from the demo fleet: same countries, regions and latency shapes. */
export function benchFleet(probes: number): DemoProbe[] {
  return Array.from({ length: probes }, (_, i) => {
    const base = DEMO_PROBES[i % DEMO_PROBES.length] as DemoProbe;
    const clone = Math.floor(i / DEMO_PROBES.length);
    return {
      ...base,
      node_id: `${base.node_id.replace(/^demo-/, 'bench-')}-${String(clone).padStart(3, '0')}`,
      // Clones differ a little in base latency (±15 %), deterministically.
      base_ms: Math.round(base.base_ms * (0.85 + (((clone * 37 + i) % 31) / 30) * 0.3) * 10) / 10,
    };
  });
}

/** xorshift32: a small seeded generator so a data set is the same for the same seed and times. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4_294_967_296;
  };
}

/** Standard normal deviates (Box–Muller, both values used). */
function normal(rand: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12)));
    const a = 2 * Math.PI * rand();
    spare = r * Math.sin(a);
    return r * Math.cos(a);
  };
}

/** Evening peak (about 20:30 local) and a smaller midday bump, 0..~1 (as the demo set). */
function diurnal(t: number, utcOffset: number): number {
  const h = (((t / HOUR + utcOffset) % 24) + 24) % 24;
  return Math.exp(-(((h - 20.5) / 2.5) ** 2)) + 0.35 * Math.exp(-(((h - 13) / 2.5) ** 2));
}

type EpisodeKind = 'loss' | 'down' | 'outage';
interface Episode {
  kind: EpisodeKind;
  from: number;
  to: number;
  loss: number;
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;

/**
 * One probe's series over [from, until): its episodes are planned up front (rates as in the demo
 * week: about 3.5 loss bursts and 0.6 outages a week, an occasional link-down spell), then
 * `emit` writes COPY lines minute by minute, strictly in time order, across calls.
 */
class ProbeSeries {
  /** The first and the last minute emitted (undefined: none, a node silent throughout). */
  first: number | undefined;
  last: number | undefined;
  private readonly rand: () => number;
  private readonly gauss: () => number;
  private readonly episodes: Episode[] = [];
  private readonly icmpExtra: string;
  private next = 0;
  private markedHour = -1;
  private markedHttpHour = -1;
  private readonly pings = new Float64Array(5);
  private readonly prefix: string;
  private readonly httpPrefix: string;
  private readonly place: string;

  constructor(
    readonly probe: DemoProbe,
    index: number,
    from: number,
    readonly until: number,
    seed: number,
    /** Nodes unhealthy at `until` (a full build only), so every status shows on the overview. */
    unhealthyAtEnd: boolean,
  ) {
    this.rand = random(seed ^ Math.imul(index + 1, 0x85ebca6b) ^ Math.floor(from / MIN));
    this.gauss = normal(this.rand);
    const days = (until - from) / DAY;
    const plan = (
      kind: EpisodeKind,
      perDay: number,
      minMinutes: number,
      spanMinutes: number,
      loss: number,
    ) => {
      const n = Math.floor(perDay * days + this.rand());
      for (let k = 0; k < n; k++) {
        const start = from + this.rand() * (until - from);
        // An episode ends with the range (a later top-up plans its own).
        const to = Math.min(until, start + (minMinutes + this.rand() * spanMinutes) * MIN);
        this.episodes.push({ kind, from: start, to, loss: loss < 0 ? 4 + this.rand() * 35 : loss });
      }
    };
    plan('loss', 0.5, 10, 80, -1);
    plan('outage', 0.6 / 7, 20, 160, 100);
    plan('down', 0.2 / 7, 10, 50, 70);
    if (unhealthyAtEnd) {
      const which = index % 50;
      if (which === 3)
        this.episodes.push({ kind: 'outage', from: until - 47 * MIN, to: until + HOUR, loss: 100 });
      if (which === 8)
        this.episodes.push({ kind: 'down', from: until - 25 * MIN, to: until + HOUR, loss: 70 });
      if (which === 9)
        this.episodes.push({ kind: 'loss', from: until - 35 * MIN, to: until + HOUR, loss: 8 });
    }
    this.episodes.sort((a, b) => a.from - b.from);
    const p = probe;
    this.prefix = `${p.node_id}\t${ICMP_TARGET}\ticmp\t`;
    this.httpPrefix = `${p.node_id}\t${p.http_target}\thttp\t`;
    this.place = `\t${p.country}\t${p.region}\t`;
    this.icmpExtra = JSON.stringify({ labels: { dataset: 'bench' } });
  }

  private episodeAt(t: number): Episode | undefined {
    for (const e of this.episodes) {
      if (e.from > t) return undefined;
      if (t < e.to) return e;
    }
    return undefined;
  }

  /**
   * Appends the COPY lines of minute `t` (ISO `time`, `received` 800 ms later) to `out`, and a
   * mark to `hours` for each hour and check first seen (the rollups' dirty marks). Minutes must
   * come in order. Returns the number of rows.
   */
  emit(t: number, time: string, received: string, out: string[], hours: string[]): number {
    if (t < this.next) throw new Error('ProbeSeries.emit: minutes must come in order');
    this.next = t + MIN;
    const ep = this.episodeAt(t);
    if (ep?.kind === 'outage') return 0;
    const p = this.probe;
    const pings = this.pings;
    const peak = diurnal(t, p.utc_offset);
    const stress = ep ? (ep.kind === 'down' ? 3 : 1.8) : 1;
    const base = p.base_ms * (1 + 0.45 * peak) * stress;
    let sum = 0;
    for (let k = 0; k < 5; k++) {
      pings[k] = base * Math.exp(0.12 * this.gauss()) + this.rand() * 2;
      sum += pings[k] as number;
    }
    pings.sort();
    const loss = ep ? Math.min(100, Math.max(0, ep.loss + 6 * this.gauss())) : this.rand() < 0.02 ? 20 : 0;
    const uptime = ep?.kind === 'down' ? Math.max(0, 100 - loss - 10 * this.rand()) : loss >= 100 ? 0 : 100;
    const lo = pings[0] as number;
    const hi = pings[4] as number;
    out.push(
      `${this.prefix}${time}${this.place}${r3(sum / 5)}\t${r3(uptime)}\t${r3(loss)}\t${r3((hi - lo) / 2)}\t${r3(lo)}\t${r3(hi)}\t${r3(pings[2] as number)}\t\\N\t${this.icmpExtra}\tf\t${received}\n`,
    );
    let rows = 1;
    const hour = Math.floor(t / HOUR);
    if (hour !== this.markedHour) {
      this.markedHour = hour;
      hours.push(`${p.node_id}\t${ICMP_TARGET}\ticmp\t${new Date(hour * HOUR).toISOString()}\n`);
    }
    if ((t / MIN) % HTTP_EVERY_MIN === 0) {
      const dns = 2 + this.rand() * 8 * stress;
      const connect = base * (1 + 0.1 * this.rand());
      const tls = base * 2 * (1 + 0.1 * this.rand());
      const ttfb = 40 + 60 * this.rand() * stress + peak * 30;
      const total = dns + connect + tls + ttfb + 5 * this.rand();
      const failed = ep?.kind === 'down' && this.rand() < 0.5;
      const extra = JSON.stringify({
        labels: { dataset: 'bench' },
        http: {
          dns_ms: r3(dns),
          connect_ms: r3(connect),
          tls_ms: r3(tls),
          ttfb_ms: r3(ttfb),
          total_ms: r3(total),
        },
      });
      out.push(
        `${this.httpPrefix}${time}${this.place}${r3(total)}\t${failed ? 0 : 100}\t0\t\\N\t\\N\t\\N\t\\N\t${failed ? 503 : 200}\t${extra}\tf\t${received}\n`,
      );
      rows++;
      if (hour !== this.markedHttpHour) {
        this.markedHttpHour = hour;
        hours.push(`${p.node_id}\t${p.http_target}\thttp\t${new Date(hour * HOUR).toISOString()}\n`);
      }
    }
    if (this.first === undefined) this.first = t;
    this.last = t;
    return rows;
  }

  /** The event log of the planned episodes (as the demo set writes it). */
  events(): NewEvent[] {
    const until = this.until;
    const node = this.probe.node_id;
    const out: NewEvent[] = [];
    for (const e of this.episodes) {
      const mins = Math.round((Math.min(e.to, until) - e.from) / MIN);
      if (e.kind === 'outage') {
        out.push({
          time: new Date(e.from),
          node_id: node,
          kind: 'node_silent',
          message: `node ${node} went silent (power outage)`,
        });
        if (e.to <= until)
          out.push({
            time: new Date(e.to),
            node_id: node,
            kind: 'node_back',
            message: `node ${node} reports again after ${mins} min`,
          });
      } else {
        const what = e.kind === 'down' ? 'link down' : 'packet loss burst';
        out.push({
          time: new Date(e.from),
          node_id: node,
          kind: e.kind === 'down' ? 'link_down' : 'loss_burst',
          message: `${what} on ${node}: ${e.loss.toFixed(0)} % loss${e.to <= until ? ` for ${mins} min` : ' (ongoing)'}`,
          data: { loss_pct: Math.round(e.loss * 10) / 10 },
        });
      }
    }
    return out;
  }

  /** An ICMP sample at `t`, a minute this series emitted (so the row is already stored). */
  storedRow(t: number): SampleRow {
    const p = this.probe;
    return sampleRow({
      node_id: p.node_id,
      target: ICMP_TARGET,
      time: new Date(t),
      country: p.country,
      region: p.region,
      latency_ms: 0,
    });
  }
}

const seconds = (since: number) => (performance.now() - since) / 1000;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function urlFor(database: string): string {
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function migrationsFingerprint(): Promise<string[]> {
  return (await loadMigrations()).map(
    (m) => `${m.name}:${createHash('sha256').update(m.sql).digest('hex').slice(0, 12)}`,
  );
}

async function withAdmin<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

async function readState(admin: pg.Client, database: string): Promise<DatasetState | 'missing' | 'unknown'> {
  const { rows } = await admin.query<{ comment: string | null }>(
    "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
    [database],
  );
  if (rows.length === 0) return 'missing';
  try {
    return JSON.parse(rows[0]?.comment ?? '') as DatasetState;
  } catch {
    return 'unknown';
  }
}

async function writeState(admin: pg.Client, database: string, state: DatasetState): Promise<void> {
  await admin.query(`COMMENT ON DATABASE "${database}" IS ${pg.escapeLiteral(JSON.stringify(state))}`);
}

/** Whether a kept data set can serve this run, and how. */
function judge(
  state: DatasetState | 'missing' | 'unknown',
  opts: { probes: number; days: number; migrations: string[]; now: number },
): { use: 'reuse' | 'top-up' | 'build'; reason: string } {
  if (state === 'missing') return { use: 'build', reason: 'no kept database' };
  if (state === 'unknown') return { use: 'build', reason: 'the kept database has no data set record' };
  if (state.state !== 'ready') return { use: 'build', reason: 'the last load did not finish' };
  if (state.generator !== GENERATOR_VERSION) return { use: 'build', reason: 'the generator changed' };
  if (state.probes !== opts.probes || state.days !== opts.days)
    return { use: 'build', reason: 'built for another fleet size' };
  // Migrations added since the load are applied (as an upgrade would); a changed one rebuilds.
  const changed = state.migrations.some((m, i) => opts.migrations[i] !== m);
  if (changed) return { use: 'build', reason: 'a migration it was loaded under has changed' };
  const gapMin = Math.round((opts.now - state.until) / MIN);
  if (opts.now - state.from > opts.days * DAY + TOP_UP_SPAN_MS)
    return {
      use: 'build',
      reason: `its newest sample is ${(gapMin / 60).toFixed(1)} h old: built more than a day ago`,
    };
  if (gapMin <= 1) return { use: 'reuse', reason: 'its newest sample is current' };
  return { use: 'top-up', reason: `its newest sample is ${gapMin} min old` };
}

/**
 * The data set for `probes` × `days`, in database `fiberstack_bench_query_<probes>x<days>` on the
 * local PostgreSQL (TEST_PG_URL's server). A kept database is used when it was completely loaded
 * by this generator under the same migrations: as it is when its newest sample is from the current
 * minute, otherwise topped up to now (so "the last 24 h" and "the last 7 days" stay full and the
 * nodes are live) — while it spans at most `days` + 1 day, i.e. for a day after it was built.
 * After that, or with `fresh`, it is dropped and built again.
 */
export async function prepareDataset(opts: DatasetOptions): Promise<Dataset> {
  const { probes, days, log } = opts;
  const database = `${DATASET_PREFIX}${probes}x${String(days).replace(/\W/g, '_')}`;
  const url = urlFor(database);
  const fleet = benchFleet(probes);
  const migrations = await migrationsFingerprint();
  const now = Math.floor(Date.now() / MIN) * MIN + MIN;

  const { state, verdict } = await withAdmin(async (admin) => {
    if (opts.fresh) {
      const { rows } = await admin.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE $1 || '%' ORDER BY datname",
        [DATASET_PREFIX],
      );
      for (const r of rows) {
        await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
        log(`dropped database ${r.datname} (--fresh)`);
      }
    }
    const state = await readState(admin, database);
    const verdict = opts.fresh
      ? { use: 'build' as const, reason: '--fresh' }
      : judge(state, { probes, days, migrations, now });
    if (verdict.use === 'build') {
      if (state !== 'missing') await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${database}"`);
    }
    return { state, verdict };
  });

  const db = await openPostgres({
    connectionString: url,
    max: 2,
    statementTimeoutMs: 0,
    applicationName: 'fiberstack-bench-load',
  });
  try {
    const { applied } = await migrate(db);
    if (verdict.use !== 'build' && applied.length > 0) log(`applied new migrations: ${applied.join(', ')}`);
    const nodes = fleet.map((p) => p.node_id);
    if (verdict.use === 'reuse' && typeof state === 'object') {
      log(`reusing database ${database} as it is: ${verdict.reason}`);
      if (applied.length > 0)
        await withAdmin((admin) => writeState(admin, database, { ...state, migrations }));
      return {
        database,
        url,
        action: 'reused',
        reason: verdict.reason,
        probes,
        days,
        rows: state.rows,
        from: new Date(state.from),
        until: new Date(state.until),
        nodes,
      };
    }
    const seed = typeof state === 'object' && verdict.use === 'top-up' ? state.seed : 20_251_124;
    const from = verdict.use === 'top-up' && typeof state === 'object' ? state.until : now - days * DAY;
    const before = verdict.use === 'top-up' && typeof state === 'object' ? state : undefined;
    log(
      verdict.use === 'build'
        ? `building database ${database} (${verdict.reason}): ${probes.toLocaleString('en-US')} probes × ${days} days of minute data`
        : `topping up database ${database} (${verdict.reason}) to now`,
    );
    const ready: DatasetState = {
      state: 'ready',
      generator: GENERATOR_VERSION,
      probes,
      days,
      seed,
      migrations,
      from: before?.from ?? from,
      until: now,
      rows: before?.rows ?? 0,
    };
    await withAdmin((admin) => writeState(admin, database, { ...ready, state: 'loading' }));
    const load = await loadRange(db, url, fleet, { from, until: now, seed, full: !before, log });
    ready.rows += load.rows;
    await withAdmin((admin) => writeState(admin, database, ready));
    return {
      database,
      url,
      action: before ? 'topped-up' : 'built',
      reason: verdict.reason,
      probes,
      days,
      rows: ready.rows,
      from: new Date(ready.from),
      until: new Date(ready.until),
      nodes,
      load,
    };
  } finally {
    await db.close();
  }
}

/**
 * [from, until) cut at UTC midnights into `n` ranges of whole days as equal as may be (fewer for a
 * short range): each COPY stream then fills its own partitions.
 */
function splitRange(from: number, until: number, n: number): [number, number][] {
  const cuts: number[] = [];
  for (let k = 1; k < n; k++) {
    const cut = Math.round((from + ((until - from) * k) / n) / DAY) * DAY;
    if (cut > (cuts.at(-1) ?? from) && cut < until) cuts.push(cut);
  }
  const edges = [from, ...cuts, until];
  return edges.slice(1).map((b, i) => [edges[i] as number, b]);
}

const COPY_SAMPLES = `COPY samples (node_id, target, "check", time, country, region, latency_ms, uptime_pct,
  packet_loss, jitter_ms, latency_min_ms, latency_max_ms, latency_median_ms, http_status, extra, outlier,
  received_at) FROM STDIN`;

/** Runs `work` on `n` connections of their own at once. */
async function onConnections<T>(url: string, n: number, work: (c: pg.Client, i: number) => Promise<T>) {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const client = new pg.Client({ connectionString: url, application_name: 'fiberstack-bench-load' });
      await client.connect();
      try {
        return await work(client, i);
      } finally {
        await client.end();
      }
    }),
  );
}

/** Two at a time: PostgreSQL is the bottleneck of the load and this machine has 2 cores. */
const PARALLEL = 2;

/** Streams [from, until) for the fleet with COPY, then nodes, events, rollups and statistics. */
async function loadRange(
  db: Db,
  url: string,
  fleet: readonly DemoProbe[],
  r: { from: number; until: number; seed: number; full: boolean; log: (line: string) => void },
): Promise<LoadFigures> {
  const started = performance.now();
  const { log } = r;
  const ranges = splitRange(r.from, r.until, PARALLEL);
  // One series per probe and range; only a full build ends with a few nodes unhealthy.
  const parts = ranges.map(([a, b]) => ({
    from: a,
    until: b,
    series: fleet.map((p, i) => new ProbeSeries(p, i, a, b, r.seed, r.full && b === r.until)),
  }));
  const all = parts.flatMap((part) => part.series);
  const expected = fleet.length * ((r.until - r.from) / MIN) * (1 + 1 / HTTP_EVERY_MIN);
  await db.query('SELECT ensure_sample_partitions($1, $2)', [new Date(r.from), new Date(r.until)]);

  const hours: string[] = [];
  let rows = 0;
  let lastLog = performance.now();
  const copyStarted = performance.now();
  // Minute by minute, every probe's samples of that minute: the order (and so the physical layout
  // of the heap and the indexes) of live ingest, where every node reports each minute.
  function* lines(part: (typeof parts)[number]): Generator<string> {
    const out: string[] = [];
    for (let t = part.from; t < part.until; t += MIN) {
      const time = new Date(t).toISOString();
      const received = new Date(t + 800).toISOString();
      for (const s of part.series) rows += s.emit(t, time, received, out, hours);
      if (out.length >= 5_000 || t + MIN >= part.until) {
        yield out.join('');
        out.length = 0;
      }
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        const s = seconds(copyStarted);
        log(
          `  COPY ${fmt(rows)} of ~${fmt(expected)} rows (${((100 * rows) / expected).toFixed(0)} %), ${fmt(rows / s)} rows/s, ${s.toFixed(0)} s`,
        );
      }
    }
  }
  await onConnections(url, parts.length, async (client, i) => {
    await client.query('SET synchronous_commit = off');
    await pipeline(Readable.from(lines(parts[i]!)), client.query(copyFrom(COPY_SAMPLES)));
  });
  const copySeconds = seconds(copyStarted);
  log(
    `  COPY ${fmt(rows)} rows in ${copySeconds.toFixed(0)} s (${fmt(rows / copySeconds)} rows/s, ${parts.length} streams)`,
  );

  // The hours touched, marked for refreshRollups exactly as loadSamples marks them.
  await onConnections(url, 1, async (client) => {
    await client.query(
      'CREATE TEMP TABLE bench_dirty (node_id text, target text, "check" text, bucket timestamptz)',
    );
    await pipeline(Readable.from([hours.join('')]), client.query(copyFrom('COPY bench_dirty FROM STDIN')));
    await client.query(
      'INSERT INTO rollup_dirty (node_id, target, "check", bucket) SELECT * FROM bench_dirty ON CONFLICT DO NOTHING',
    );
  });

  // The ETL's node bookkeeping runs through loadSamples itself: each node's first and newest
  // sample of this load are passed again. Both are stored already, so nothing is inserted
  // (checked), but nodes are upserted and node_first_seen events written as on ingest.
  const replay = all.flatMap((s) =>
    s.first === undefined || s.last === undefined ? [] : [s.storedRow(s.first), s.storedRow(s.last)],
  );
  for (let i = 0; i < replay.length; i += 2_000) {
    const chunk = replay.slice(i, i + 2_000);
    const res = await db.transaction((tx) => loadSamples(tx, chunk));
    if (res.inserted !== 0) throw new Error(`node replay inserted ${res.inserted} new samples`);
  }
  const events = all.flatMap((s) => s.events());
  for (let i = 0; i < events.length; i += 5_000) await insertEvents(db, events.slice(i, i + 5_000));

  // refreshRollups as the ETL's scheduler runs it, by concurrent refreshers (they claim disjoint
  // buckets); one that loses a deadlock on a shared day's row simply tries again.
  const rollupStarted = performance.now();
  let buckets = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      for (;;) {
        const done = await refreshRollups(db, { maxBuckets: 25_000 }).catch((err: unknown) => {
          if ((err as { code?: string }).code === '40P01') return undefined;
          throw err;
        });
        if (done === undefined) continue;
        if (done.hourly === 0) return;
        buckets += done.hourly;
        log(
          `  rollups: ${fmt(buckets)} of ${fmt(hours.length)} hourly buckets, ${seconds(rollupStarted).toFixed(0)} s`,
        );
      }
    }),
  );
  const rollupSeconds = seconds(rollupStarted);

  // Sets hint bits and the visibility map now (else the first reads and autovacuum would, in the
  // middle of the measurements) and gathers statistics. A build vacuums every partition, two at a
  // time, then analyzes every table, partitioned parent included (autovacuum never analyzes
  // those); a top-up only the partitions it wrote to and the tables outside `samples`.
  const vacuumStarted = performance.now();
  const { rows: tables } = await db.query<{ name: string; partition: boolean }>(
    `SELECT c.oid::regclass::text AS name, i.inhrelid IS NOT NULL AS partition
     FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
     LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND i.inhparent = 'samples'::regclass
     WHERE ns.nspname = current_schema() AND c.relkind = 'r' ORDER BY 1`,
  );
  if (r.full) {
    const queue = tables.filter((t) => t.partition).map((t) => t.name);
    await onConnections(url, PARALLEL, async (client) => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        await client.query(`VACUUM ${pg.escapeIdentifier(name)}`);
      }
    });
    await db.query('VACUUM (ANALYZE)');
  } else {
    const written = new Set<string>();
    for (let day = Math.floor(r.from / DAY) * DAY; day < r.until; day += DAY)
      written.add(`samples_p${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`);
    const list = tables.filter((t) => !t.partition || written.has(t.name)).map((t) => t.name);
    await db.query(`VACUUM (ANALYZE) ${list.map((name) => pg.escapeIdentifier(name)).join(', ')}`);
  }
  const vacuumSeconds = seconds(vacuumStarted);
  log(`  VACUUM, ANALYZE in ${vacuumSeconds.toFixed(0)} s`);

  const total = seconds(started);
  return {
    rows,
    seconds: Math.round(total),
    rows_per_s: Math.round(rows / total),
    copy_seconds: Math.round(copySeconds),
    rollup_seconds: Math.round(rollupSeconds),
    vacuum_analyze_seconds: Math.round(vacuumSeconds),
  };
}
