import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startTopology, type Topology } from '@fiberstack/testing';
import { benchSample, createPushClient } from '../http-load.ts';
import { runOpenLoop } from '../open-loop.ts';
import type { OpenLoopInput } from '../open-loop.worker.ts';
import { latencyFigures, numberOption, percentile, round } from '../result.ts';

const TICKS = 100; // USER_HZ

/** CPU seconds of every process, grouped by command name (postgres, redis-server, nginx, node). */
function cpuByCommand(): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime + stime, plus cutime + cstime: the time of children it has reaped (a PostgreSQL
      // backend that exits during a phase moves its time to the postmaster, not out of the sum).
      const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      out.set(comm, (out.get(comm) ?? 0) + ticks / TICKS);
    } catch {
      // the process ended while we read it
    }
  }
  return out;
}

function roleCpu(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

interface CpuSnapshot {
  at: number;
  byCommand: Map<string, number>;
  roles: number[];
  self: number;
}

function snapshot(topo: Topology): CpuSnapshot {
  return {
    at: performance.now(),
    byCommand: cpuByCommand(),
    roles: [...topo.apis, ...topo.etls].map((r) => roleCpu(r.pid)),
    self: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  };
}

/** % of one core per component between two snapshots. */
function cpuShare(a: CpuSnapshot, b: CpuSnapshot, topo: Topology): Record<string, number> {
  const seconds = (b.at - a.at) / 1000;
  const pct = (x: number) => Math.round((x / seconds) * 1000) / 10;
  const out: Record<string, number> = {};
  [...topo.apis, ...topo.etls].forEach((r, i) => {
    out[r.name] = pct((b.roles[i] ?? 0) - (a.roles[i] ?? 0));
  });
  for (const comm of ['postgres', 'redis-server', 'nginx']) {
    out[comm] = pct((b.byCommand.get(comm) ?? 0) - (a.byCommand.get(comm) ?? 0));
  }
  out['load generator'] = pct(b.self - a.self);
  return out;
}

/**
 * `npm run bench -- ingest`: the production topology on this machine (nginx → N API, M ETL,
 * Redis with AOF everysec, PostgreSQL 15), all real processes. Phase 1 pushes batches as fast
 * as the system accepts them (or at --samples-per-min) for --seconds and measures samples/min
 * stored end to end (first push → last row committed) and the ingest lag of those rows. Phase 2 sends single-sample pushes at a fixed --rate (open loop:
 * latency counts from the scheduled send time, so a stall is not hidden) and reports p50/p99,
 * after --warmup-seconds at the same rate whose figures are printed separately (0: none).
 */
export async function ingestScenario(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      apis: { type: 'string', default: '2' },
      etls: { type: 'string', default: '2' },
      seconds: { type: 'string', default: '60' },
      batch: { type: 'string', default: '500' },
      concurrency: { type: 'string', default: '12' },
      nodes: { type: 'string', default: '50' },
      targets: { type: 'string', default: '100' },
      rate: { type: 'string', default: '2000' },
      'rate-seconds': { type: 'string', default: '30' },
      'warmup-seconds': { type: 'string', default: '5' },
      nginx: { type: 'string', default: 'yes' },
      phase: { type: 'string', default: 'all' },
      'etl-batch': { type: 'string', default: '2000' },
      'samples-per-min': { type: 'string', default: '0' },
    },
  });
  const n = (k: keyof typeof values) =>
    numberOption(
      k,
      values[k] as string | undefined,
      k.startsWith('warmup') || k === 'samples-per-min' ? 0 : 1,
    );
  // Every numeric option is checked before anything starts.
  for (const k of Object.keys(values).filter((k) => !['nginx', 'phase'].includes(k)))
    n(k as keyof typeof values);
  const topo = await startTopology({
    apis: n('apis'),
    etls: n('etls'),
    nginx: values.nginx !== 'no',
    // As in production: a commit waits for its WAL to reach the disk.
    postgres: { fsync: true },
    env: { LOG_LEVEL: 'warn', RATE_LIMIT_ENABLED: 'false' },
    etlEnv: { ETL_BATCH_SIZE: String(n('etl-batch')), ETL_SCHEDULER: 'false' },
  });
  try {
    const nodes = Array.from({ length: n('nodes') }, (_, i) => `probe-bench-${String(i).padStart(3, '0')}`);
    const keys = await Promise.all(nodes.map((node) => topo.createKey(node)));
    const phase = values.phase;
    const throughput =
      phase === 'latency'
        ? undefined
        : await throughputPhase(topo, nodes, keys, {
            seconds: n('seconds'),
            batch: n('batch'),
            concurrency: n('concurrency'),
            targets: n('targets'),
            samplesPerMin: n('samples-per-min'),
          });
    const latency =
      phase === 'throughput'
        ? undefined
        : await latencyPhase(topo, nodes, keys, {
            rate: n('rate'),
            seconds: n('rate-seconds'),
            warmupSeconds: n('warmup-seconds'),
            targets: n('targets'),
          });
    return {
      topology: { apis: n('apis'), etls: n('etls'), nginx: values.nginx !== 'no', etl_batch: n('etl-batch') },
      throughput,
      latency,
    };
  } finally {
    await topo.stop();
  }
}

async function throughputPhase(
  topo: Topology,
  nodes: string[],
  keys: string[],
  o: { seconds: number; batch: number; concurrency: number; targets: number; samplesPerMin: number },
) {
  const client = createPushClient(topo.url, o.concurrency * 2);
  const base = Date.now() - 6 * 3_600_000;
  const seq = new Map<string, number>();
  let accepted = 0;
  let rejected = 0;
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  let stop = false;
  let batchNo = 0;
  const before = await topo.countRows();
  const cpu0 = snapshot(topo);
  const tcp0 = tcpCounters();
  const since = new Date();
  const started = performance.now();
  // --samples-per-min: batch i is sent at its scheduled time (or as soon as a sender is free
  // when the system falls behind); 0 sends as fast as the system accepts.
  const intervalMs = o.samplesPerMin > 0 ? (o.batch / o.samplesPerMin) * 60_000 : 0;
  const pace =
    o.samplesPerMin > 0 ? `offered ${o.samplesPerMin.toLocaleString()} samples/min` : 'as fast as accepted';
  process.stdout.write(
    `ingest: ${o.seconds} s of ${o.batch}-sample batches, ${pace}, ${o.concurrency} in flight, via ${topo.url}\n`,
  );
  const progress = setInterval(() => {
    void topo.countRows().then((rows) => {
      const s = (performance.now() - started) / 1000;
      process.stdout.write(
        `  ${s.toFixed(0).padStart(4)} s  accepted ${accepted}  stored ${rows - before}  (${Math.round(((rows - before) / s) * 60).toLocaleString()} samples/min)\n`,
      );
    });
  }, 10_000);
  const worker = async () => {
    while (!stop) {
      const i = batchNo++;
      if (intervalMs > 0) {
        const wait = started + i * intervalMs - performance.now();
        if (wait > 0) await new Promise((res) => setTimeout(res, wait));
        if (stop) break;
      }
      const nodeIdx = i % nodes.length;
      const node = nodes[nodeIdx] as string;
      const parts: string[] = [];
      for (let k = 0; k < o.batch; k++) {
        const target = (Math.floor(i / nodes.length) * o.batch + k) % o.targets;
        const sk = `${node}/${target}`;
        const s = (seq.get(sk) ?? 0) + 1;
        seq.set(sk, s);
        parts.push(benchSample(node, target, base + s * 1000, 20 + (s % 17)));
      }
      const r = await client.push(keys[nodeIdx] as string, `{"samples":[${parts.join(',')}]}`);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status === 202) {
        accepted += o.batch;
        latencies.push(r.ms);
      } else {
        rejected += o.batch;
        // Samples of a refused batch are never stored; their timestamps are not reused.
        await new Promise((res) => setTimeout(res, 50));
      }
    }
  };
  const workers = Array.from({ length: o.concurrency }, worker);
  await new Promise((res) => setTimeout(res, o.seconds * 1000));
  stop = true;
  await Promise.all(workers);
  const intakeS = (performance.now() - started) / 1000;
  const drainMs = await topo.waitDrained(600_000);
  const totalS = (performance.now() - started) / 1000;
  const cpu1 = snapshot(topo);
  const tcp = delta(tcp0, tcpCounters());
  clearInterval(progress);
  client.close();
  const stored = (await topo.countRows()) - before;
  const queue = await topo.queueStats();
  const lag = await ingestLag(topo, since);
  latencies.sort((a, b) => a - b);
  const result = {
    offered_samples_per_min: o.samplesPerMin > 0 ? o.samplesPerMin : null,
    samples_accepted: accepted,
    samples_refused: rejected,
    statuses,
    rows_stored: stored,
    lost: accepted - stored,
    intake_samples_per_min: Math.round((accepted / intakeS) * 60),
    end_to_end_samples_per_min: Math.round((stored / totalS) * 60),
    drain_after_intake_ms: drainMs,
    ingest_lag_s: lag,
    batch_push_ms: {
      p50: round(percentile(latencies, 50)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies.at(-1) ?? 0),
    },
    dead_letter: queue.dead,
    cpu_pct_of_one_core: cpuShare(cpu0, cpu1, topo),
    // Whole machine, during the phase: non-zero retransmissions point at the network stack.
    tcp_counters: tcp,
  };
  process.stdout.write(
    `\nthroughput: ${stored.toLocaleString()} samples stored of ${accepted.toLocaleString()} accepted (lost ${accepted - stored})\n` +
      `  intake      ${result.intake_samples_per_min.toLocaleString()} samples/min\n` +
      `  end to end  ${result.end_to_end_samples_per_min.toLocaleString()} samples/min (first push → last row, drain ${drainMs} ms)\n` +
      `  batch push  p50 ${result.batch_push_ms.p50} ms  p99 ${result.batch_push_ms.p99} ms\n` +
      `  ingest lag  p50 ${lag.p50} s  p99 ${lag.p99} s  max ${lag.max} s (API receive → row committed)\n` +
      `  CPU % of one core: ${JSON.stringify(result.cpu_pct_of_one_core)}\n` +
      `  stall counters during the phase (kernel TCP; Redis aof_delayed_fsync): ${JSON.stringify(tcp)}\n`,
  );
  return result;
}

async function latencyPhase(
  topo: Topology,
  nodes: string[],
  keys: string[],
  o: { rate: number; seconds: number; warmupSeconds: number; targets: number },
) {
  // Freshly started processes (cold JIT, key caches, connection pools, heaps) need a few seconds
  // at the full rate; that start-up transient is printed, not mixed into the steady-state figures.
  // The pushes come from a worker thread (open-loop.worker.ts): its own heap, so this process's
  // collections never delay a send; one worker runs the warm-up and then, over the same
  // connections, the measured run.
  const runs = o.warmupSeconds > 0 ? [o.warmupSeconds, o.seconds] : [o.seconds];
  const input: OpenLoopInput = {
    url: topo.url,
    nodes,
    keys,
    rate: o.rate,
    runs,
    pauseMs: 1000,
    targets: o.targets,
    base: Date.now() - 3 * 3_600_000,
  };
  let warmup: Record<string, number> | undefined;
  let cpu0 = snapshot(topo);
  let tcp0: Record<string, number> = {};
  let aof0: Promise<number> = Promise.resolve(0);
  let since = new Date();
  const out = await runOpenLoop(input, {
    onStart: (measured) => {
      if (!measured) {
        process.stdout.write(`\nlatency: warm-up, ${o.rate}/s for ${o.warmupSeconds} s (not counted)\n`);
        return;
      }
      process.stdout.write(`\nlatency: single-sample pushes at ${o.rate}/s for ${o.seconds} s (open loop)\n`);
      cpu0 = snapshot(topo);
      tcp0 = tcpCounters();
      aof0 = aofDelayedFsync(topo);
      since = new Date();
    },
    onWarmup: (output) => {
      warmup = latencyFigures(Array.from(output.latencies).sort((a, b) => a - b));
      process.stdout.write(
        `  warm-up latency p50 ${warmup.p50} ms  p95 ${warmup.p95} ms  p99 ${warmup.p99} ms  max ${warmup.max} ms\n`,
      );
    },
  });
  const cpu1 = snapshot(topo);
  const tcpEnd = tcpCounters();
  const { total, statuses, elapsedS } = out;
  const fromSchedule = Array.from(out.latencies).sort((a, b) => a - b);
  const aof = await aofDelayedFsync(topo);
  const tcp = { ...delta(tcp0, tcpEnd), aof_delayed_fsync: aof - (await aof0) };
  await topo.waitDrained(120_000);
  const lag = await ingestLag(topo, since);
  const result = {
    requests: total,
    achieved_rate_per_s: Math.round(total / elapsedS),
    statuses,
    warmup_seconds: o.warmupSeconds,
    warmup_push_ms: warmup,
    push_ms: latencyFigures(fromSchedule),
    ingest_lag_s: lag,
    cpu_pct_of_one_core: cpuShare(cpu0, cpu1, topo),
    // Whole machine, during the phase: non-zero retransmissions point at the network stack.
    tcp_counters: tcp,
  };
  process.stdout.write(
    `  ${total} requests, ${result.achieved_rate_per_s}/s achieved, statuses ${JSON.stringify(statuses)}\n` +
      `  push latency p50 ${result.push_ms.p50} ms  p95 ${result.push_ms.p95} ms  p99 ${result.push_ms.p99} ms  max ${result.push_ms.max} ms\n` +
      `  ingest lag  p50 ${lag.p50} s  p99 ${lag.p99} s  max ${lag.max} s (API receive → row committed)\n` +
      `  CPU % of one core: ${JSON.stringify(result.cpu_pct_of_one_core)}\n` +
      `  stall counters during the phase (kernel TCP; Redis aof_delayed_fsync): ${JSON.stringify(tcp)}\n`,
  );
  return result;
}

/**
 * Ingest lag of the rows the API received since `since`: loaded_at (the loading transaction's
 * time) − received_at, in seconds, from the stored rows themselves.
 */
async function ingestLag(topo: Topology, since: Date): Promise<{ p50: number; p99: number; max: number }> {
  const { rows } = await topo.db.query<{ p50: number | null; p99: number | null; max: number | null }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY lag) AS p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY lag) AS p99, max(lag) AS max
       FROM (SELECT extract(epoch FROM loaded_at - received_at)::float8 AS lag
               FROM samples WHERE received_at >= $1) AS l`,
    [since],
  );
  const r = rows[0];
  const ms = (x: number | null | undefined) => Math.round((x ?? 0) * 1000) / 1000;
  return { p50: ms(r?.p50), p99: ms(r?.p99), max: ms(r?.max) };
}

const TCP_COUNTERS = ['TCPSynRetrans', 'ListenOverflows', 'ListenDrops', 'TCPTimeouts', 'TCPAbortOnData'];

/** The kernel's TCP counters (/proc/net/netstat, TcpExt) that explain a tail of about 1 s: a lost SYN or segment waits for the retransmission timer. */
function tcpCounters(): Record<string, number> {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const i = lines.findIndex((l) => l.startsWith('TcpExt:'));
  const names = (lines[i] ?? '').split(/\s+/).slice(1);
  const values = (lines[i + 1] ?? '').split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(TCP_COUNTERS.map((c) => [c, values[names.indexOf(c)] ?? 0]));
}

/** Writes Redis had to hold because its once-a-second AOF fsync was still running (a disk stall). */
async function aofDelayedFsync(topo: Topology): Promise<number> {
  const info = await topo.redisClient.info('persistence');
  return Number(/aof_delayed_fsync:(\d+)/.exec(info)?.[1] ?? 0);
}

const delta = (a: Record<string, number>, b: Record<string, number>) =>
  Object.fromEntries(Object.keys(a).map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]));
