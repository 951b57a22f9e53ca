import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createTestDatabase, freePort, startRedisServer } from '@fiberstack/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { benchSample } from '../http-load.ts';
import { createLeanClient, postHead } from '../lean-http.ts';
import { runOpenLoop } from '../open-loop.ts';
import { procStats } from '../proc-stats.ts';
import { latencyFigures, numberOption } from '../result.ts';

/**
 * The figures the performance targets were set against, measured on a reference machine of this
 * kind (2 cores, load generator on the same box). `bench baseline` measures the same things here,
 * so FiberStack's own figures can be read against what the machine itself allows.
 */
const REFERENCE = {
  bare_route_max_req_per_s: 8_000,
  bare_route_p99_ms_at_2000_per_s: 14,
  bare_route_batch_samples_per_s: 170_000,
  consumer_group_entries_per_s: 118_000,
  pg_copy_rows_per_s: 330_000,
  pg_insert_rows_per_s: 125_000,
};

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const cpuOf = (pid: number) => procStats(pid).cpuSeconds;
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * `npm run bench -- baseline`: what this machine allows before any FiberStack code runs, on the
 * same components. (1) A bare Fastify 5 route doing one XADD into a throwaway Redis with AOF
 * everysec: latency at a fixed rate (open loop, same generator as `bench ingest`), the most
 * requests/s with single samples, and samples/s in 100-sample batches. (2) Redis consumer
 * groups: entries/s read and acknowledged by 2 consumers. (3) PostgreSQL 15 (the test server,
 * a throwaway database): rows/s into a table keyed like `samples`, by COPY and by multi-row
 * INSERT. Each figure is printed next to the reference machine's.
 */
export async function baselineScenario(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      rate: { type: 'string', default: '2000' },
      'rate-seconds': { type: 'string', default: '30' },
      'warmup-seconds': { type: 'string', default: '5' },
      seconds: { type: 'string', default: '10' },
      entries: { type: 'string', default: '200000' },
      rows: { type: 'string', default: '500000' },
    },
  });
  const n = (k: keyof typeof values) =>
    numberOption(k, values[k] as string | undefined, k.startsWith('warmup') ? 0 : 1);
  // Every numeric option is checked before anything starts.
  for (const k of Object.keys(values)) n(k as keyof typeof values);
  const redis = await startRedisServer({ appendonly: true, appendfsync: 'everysec' });
  let server: ChildProcess | undefined;
  try {
    const port = await freePort();
    server = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        new URL('../baseline-server.ts', import.meta.url).pathname,
        String(port),
        redis.url,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await waitReady(server);
    const url = `http://127.0.0.1:${port}`;
    const serverPid = server.pid as number;
    const route = await bareRoute(url, serverPid, redis.pid, {
      rate: n('rate'),
      seconds: n('rate-seconds'),
      warmupSeconds: n('warmup-seconds'),
      closedSeconds: n('seconds'),
    });
    const groups = await consumerGroups(redis.url, n('entries'));
    const postgres = await postgresLoad(n('rows'));
    const pageFaultUs = firstTouchMicroseconds();
    process.stdout.write(
      `\nmemory: ${pageFaultUs} µs per 4 KiB page on first touch (a fresh 64 MiB buffer; best of 3)\n`,
    );
    return {
      reference: REFERENCE,
      bare_route: route,
      consumer_groups: groups,
      postgres,
      page_fault_us: pageFaultUs,
    };
  } finally {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
    await redis.stop();
  }
}

/**
 * What the machine charges for a page of memory a process touches for the first time (a page
 * fault and the zeroing of the page): on a virtual machine this can be several times a bare
 * server's, and every large per-request allocation pays it.
 */
function firstTouchMicroseconds(): number {
  const size = 64 * 2 ** 20;
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    const t0 = performance.now();
    const buf = Buffer.allocUnsafeSlow(size);
    for (let i = 0; i < size; i += 4096) buf[i] = 1;
    best = Math.min(best, ((performance.now() - t0) * 1000) / (size / 4096));
  }
  return Math.round(best * 100) / 100;
}

async function waitReady(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the baseline server exited with ${code}`)));
  });
}

async function bareRoute(
  url: string,
  serverPid: number,
  redisPid: number,
  o: { rate: number; seconds: number; warmupSeconds: number; closedSeconds: number },
) {
  const nodes = Array.from({ length: 50 }, (_, i) => `probe-baseline-${String(i).padStart(3, '0')}`);
  process.stdout.write(
    `baseline: bare Fastify route + one XADD (Redis AOF everysec), ${o.rate}/s for ${o.seconds} s after ${o.warmupSeconds} s\n`,
  );
  let cpu0 = { server: 0, redis: 0, self: 0, at: 0 };
  const out = await runOpenLoop(
    {
      url,
      nodes,
      keys: nodes.map(() => 'unused'),
      rate: o.rate,
      runs: o.warmupSeconds > 0 ? [o.warmupSeconds, o.seconds] : [o.seconds],
      pauseMs: 1000,
      targets: 100,
      base: Date.now() - 3_600_000,
    },
    {
      onStart: (measured) => {
        if (measured)
          cpu0 = { server: cpuOf(serverPid), redis: cpuOf(redisPid), self: selfCpu(), at: performance.now() };
      },
    },
  );
  const seconds = (performance.now() - cpu0.at) / 1000;
  const pct = (x: number) => Math.round((x / seconds) * 1000) / 10;
  const cpu = {
    server: pct(cpuOf(serverPid) - cpu0.server),
    'redis-server': pct(cpuOf(redisPid) - cpu0.redis),
    'load generator': pct(selfCpu() - cpu0.self),
  };
  const latency = latencyFigures(Array.from(out.latencies).sort((a, b) => a - b));
  process.stdout.write(
    `  ${out.total} requests, statuses ${JSON.stringify(out.statuses)}\n` +
      `  latency p50 ${latency.p50} ms  p95 ${latency.p95} ms  p99 ${latency.p99} ms  max ${latency.max} ms  (reference p99 ${REFERENCE.bare_route_p99_ms_at_2000_per_s} ms)\n` +
      `  CPU % of one core: ${JSON.stringify(cpu)}\n`,
  );
  const single = await closedLoop(url, nodes, 64, 1, o.closedSeconds);
  process.stdout.write(
    `  single samples, 64 in flight: ${fmt(single.requestsPerS)} requests/s  (reference ${fmt(REFERENCE.bare_route_max_req_per_s)})\n`,
  );
  const batches = await closedLoop(url, nodes, 16, 100, o.closedSeconds);
  process.stdout.write(
    `  100-sample batches, 16 in flight: ${fmt(batches.samplesPerS)} samples/s  (reference ${fmt(REFERENCE.bare_route_batch_samples_per_s)})\n`,
  );
  return {
    rate_per_s: o.rate,
    seconds: o.seconds,
    statuses: out.statuses,
    latency_ms: latency,
    cpu_pct_of_one_core: cpu,
    max_requests_per_s: Math.round(single.requestsPerS),
    batch_samples_per_s: Math.round(batches.samplesPerS),
  };
}

/** `inFlight` pushes of `batch` samples each, as fast as they are answered, for `seconds`. */
async function closedLoop(url: string, nodes: string[], inFlight: number, batch: number, seconds: number) {
  const client = createLeanClient(url, inFlight);
  const head = postHead(url, '/api/push', {});
  const base = Date.now();
  let requests = 0;
  let next = 0;
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  const loop = async () => {
    while (performance.now() < until) {
      const i = next++;
      const node = nodes[i % nodes.length] as string;
      const parts: string[] = [];
      for (let k = 0; k < batch; k++) parts.push(benchSample(node, k, base + i * 1000, 20));
      const body = batch === 1 ? (parts[0] as string) : `{"samples":[${parts.join(',')}]}`;
      const status = await client.request(head, body);
      if (status !== 202) throw new Error(`the baseline route answered ${status}`);
      requests++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, loop));
  const elapsed = (performance.now() - started) / 1000;
  client.close();
  return { requestsPerS: requests / elapsed, samplesPerS: (requests * batch) / elapsed };
}

/** `entries` single-sample entries, then 2 consumers of one group read and XACK them all. */
async function consumerGroups(redisUrl: string, entries: number) {
  const stream = 'baseline-groups';
  const writer = new Redis(redisUrl);
  const body = benchSample('probe-baseline-000', 1, Date.now(), 20);
  for (let i = 0; i < entries; i += 1000) {
    const p = writer.pipeline();
    for (let k = 0; k < Math.min(1000, entries - i); k++) p.xadd(stream, '*', 'b', body);
    await p.exec();
  }
  await writer.xgroup('CREATE', stream, 'g', '0');
  const started = performance.now();
  const consume = async (name: string) => {
    const r = new Redis(redisUrl);
    let read = 0;
    for (;;) {
      const res = (await r.xreadgroup('GROUP', 'g', name, 'COUNT', 500, 'STREAMS', stream, '>')) as
        | [string, [string, string[]][]][]
        | null;
      const got = res?.[0]?.[1] ?? [];
      if (got.length === 0) break;
      await r.xack(stream, 'g', ...got.map(([id]) => id));
      read += got.length;
    }
    r.disconnect();
    return read;
  };
  const counts = await Promise.all([consume('c1'), consume('c2')]);
  const seconds = (performance.now() - started) / 1000;
  writer.disconnect();
  const read = counts[0] + counts[1];
  if (read !== entries) throw new Error(`consumers read ${read} of ${entries} entries`);
  const perS = read / seconds;
  process.stdout.write(
    `\nconsumer groups: ${fmt(read)} entries read and acknowledged by 2 consumers (COUNT 500): ${fmt(perS)} entries/s  (reference ${fmt(REFERENCE.consumer_group_entries_per_s)})\n`,
  );
  return { entries: read, consumers: 2, count: 500, entries_per_s: Math.round(perS) };
}

const TABLE = `CREATE TABLE baseline_samples (
  node_id text NOT NULL, target text NOT NULL, "check" text NOT NULL, time timestamptz NOT NULL,
  latency_ms double precision, uptime_pct double precision, packet_loss double precision,
  PRIMARY KEY (node_id, target, "check", time))`;

/**
 * `rows` rows in live ingest order (every series' sample of one second, then the next second) into
 * a fresh table with a primary key, by COPY and by multi-row INSERT (2,000 per statement); and by
 * COPY into the same table without its key.
 */
async function postgresLoad(rows: number) {
  const test = await createTestDatabase();
  const client = new pg.Client({ connectionString: test.url });
  await client.connect();
  try {
    const base = Date.now() - 86_400_000;
    const row = (i: number) =>
      [
        `probe-${i % 1000}`,
        `10.0.0.${Math.floor(i / 1000) % 50}`,
        'icmp',
        new Date(base + Math.floor(i / 50_000) * 1000).toISOString(),
      ] as const;
    await client.query(TABLE);
    // Both inputs are built before the clock starts: the figures are the server's, not the generator's.
    const chunks: string[] = [];
    const batches: unknown[][][] = [];
    for (let i = 0; i < rows; i += 2000) {
      const cols: unknown[][] = [[], [], [], [], [], [], []];
      let chunk = '';
      for (let k = i; k < Math.min(rows, i + 2000); k++) {
        const values = [...row(k), 20 + (k % 17), 100, 0];
        chunk += `${values.join('\t')}\n`;
        for (const [c, v] of values.entries()) cols[c]?.push(v);
      }
      chunks.push(chunk);
      batches.push(cols);
    }
    const timed = async (table: string, load: () => Promise<unknown>) => {
      await client.query('CHECKPOINT');
      const t0 = performance.now();
      await load();
      const perS = rows / ((performance.now() - t0) / 1000);
      const { rows: count } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      if (Number(count[0]?.n) !== rows) throw new Error(`${table} holds ${count[0]?.n} of ${rows} rows`);
      await client.query(`TRUNCATE ${table}`);
      return Math.round(perS);
    };
    const copy = (table: string) =>
      timed(table, () => pipeline(Readable.from(chunks), client.query(copyFrom(`COPY ${table} FROM STDIN`))));
    const insert = (table: string) =>
      timed(table, async () => {
        for (const cols of batches)
          await client.query(
            `INSERT INTO ${table} SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[],
               $5::float8[], $6::float8[], $7::float8[]) ON CONFLICT DO NOTHING`,
            cols,
          );
      });
    // The same rows without the key: how much of the load is maintaining the index.
    await client.query('CREATE TABLE baseline_plain (LIKE baseline_samples)');
    const figures = {
      rows,
      copy_unindexed_rows_per_s: await copy('baseline_plain'),
      insert_unindexed_rows_per_s: await insert('baseline_plain'),
      copy_rows_per_s: await copy('baseline_samples'),
      insert_rows_per_s: await insert('baseline_samples'),
    };
    process.stdout.write(
      `\nPostgreSQL: ${fmt(rows)} rows, without an index / keyed like samples (node, target, check, time)\n` +
        `  COPY                         ${fmt(figures.copy_unindexed_rows_per_s)} / ${fmt(figures.copy_rows_per_s)} rows/s  (reference ${fmt(REFERENCE.pg_copy_rows_per_s)})\n` +
        `  INSERT … unnest, 2,000 a go  ${fmt(figures.insert_unindexed_rows_per_s)} / ${fmt(figures.insert_rows_per_s)} rows/s  (reference ${fmt(REFERENCE.pg_insert_rows_per_s)})\n`,
    );
    return figures;
  } finally {
    await client.end();
    await test.drop();
  }
}
