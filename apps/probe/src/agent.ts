import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sample } from '@fiberstack/contracts';
import { type Logger, withComponent } from '@fiberstack/logging';
import { DiskBuffer } from './buffer/disk-buffer.ts';
import type { Target } from './checks/check.types.ts';
import { checkFor } from './checks/registry.ts';
import type { ProbeConfig } from './config.ts';
import { ProbeMetrics, type RoundCounts, roundKey } from './probe-metrics.ts';
import { PushClient } from './push/push-client.ts';
import { Pusher } from './push/pusher.ts';
import { buildSample } from './sample-builder.ts';
import { planJobs } from './scheduler/jobs.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import { SeqStore } from './seq-store.ts';
import { warmUp, warmUpNeeds } from './warmup.ts';

const HOUSEKEEPING_MS = 15_000;
/**
 * With node's `--expose-gc` (as deployed: deploy/systemd, deploy/docker/probe.Dockerfile), a
 * full collection this often. Between V8's own full collections the old generation fills
 * with objects that outlived two scavenges (a round's sockets, child processes and timers,
 * samples waiting for the next push; ≈ 0.7 MiB a minute at 100 targets) up to ≈ 3 MiB over
 * the live heap, and V8 keeps those pages. Collecting every 30 s holds the heap near its live
 * size: ≈ 1.2 MiB less RSS on average, for a pause of ≈ 5–10 ms each time (as long as V8's
 * own final pauses) and < 0.05 % of a core.
 */
const GC_EVERY_MS = 30_000;
/** On SIGTERM, how long the pusher may keep draining the buffer while the API answers. */
const STOP_FLUSH_MS = 5_000;

/**
 * The running probe: scheduler → checks → samples → durable buffer → pusher → API.
 * Start order: buffer and seq store open, warm-up, pusher, scheduler, metrics.
 * Stop order: scheduler (abort rounds) → pusher (settle the batch in flight) → buffer
 * (wait for appends, close) → metrics. `stop()` is idempotent.
 */
export class Agent {
  private scheduler: Scheduler | undefined;
  private housekeeping: NodeJS.Timeout | undefined;
  private collecting: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  /** Samples produced (one per finished round) and rounds cut short by stop() (no sample). */
  private readonly counts = { samples_total: 0, rounds_aborted_total: 0 };
  private readonly roundCounts: RoundCounts = { rounds: new Map(), skipped: new Map() };
  /** Self-metrics, only with metrics_listen (see probe-metrics.ts). */
  metrics: ProbeMetrics | undefined;

  private constructor(
    private readonly config: ProbeConfig,
    private readonly log: Logger,
    private readonly buffer: DiskBuffer,
    private readonly seq: SeqStore,
    private readonly client: PushClient,
    private readonly pusher: Pusher,
  ) {}

  static async create(config: ProbeConfig, log: Logger): Promise<Agent> {
    const b = config.buffer;
    const buffer = await DiskBuffer.open({
      dir: b.dir,
      maxBytes: b.max_bytes,
      maxAgeMs: b.max_age_ms,
      segmentBytes: b.segment_bytes,
      onDrop: (records, reason) =>
        log.warn({ records, reason }, 'buffer full or expired: oldest samples dropped'),
    });
    const seq = await SeqStore.open(b.dir);
    if (!config.api_key) throw new Error('api_key missing');
    const p = config.push;
    const client = new PushClient({
      endpoint: config.api_endpoint,
      apiKey: config.api_key,
      timeoutMs: p.timeout_ms,
    });
    const pusher = new Pusher(
      buffer,
      client,
      {
        batchSize: p.batch_size,
        maxRatePerS: p.max_rate_per_s,
        backoffBaseMs: p.backoff_base_ms,
        backoffCapMs: p.backoff_cap_ms,
        lingerMs: p.linger_ms,
      },
      withComponent(log, 'push'),
    );
    return new Agent(config, log, buffer, seq, client, pusher);
  }

  async start(): Promise<void> {
    const stats = this.buffer.stats();
    this.log.info({ ...stats, targets: this.config.targets.length }, 'probe starting');
    await warmUp(warmUpNeeds(this.config));
    this.pusher.start();
    const jobs = planJobs(this.config.targets);
    this.scheduler = new Scheduler(jobs, (t, signal, at) => this.round(t, signal, at), {
      concurrency: this.config.concurrency,
      onSkip: (targets) => {
        for (const t of targets) bump(this.roundCounts.skipped, t.kind);
      },
    });
    this.scheduler.start();
    this.housekeeping = setInterval(() => void this.housekeep(), HOUSEKEEPING_MS);
    const gc = globalThis.gc;
    if (gc) this.collecting = setInterval(() => gc(), GC_EVERY_MS);
    await this.housekeep();
    const listen = this.config.metrics_listen;
    if (listen) {
      this.metrics = await ProbeMetrics.create({
        buffer: () => this.buffer.stats(),
        pusher: () => this.pusher.stats,
        counts: this.roundCounts,
      });
      await this.metrics.listen(listen.host, listen.port);
    }
    this.log.info({ metrics_listen: listen }, 'probe started');
  }

  private async round(targets: readonly Target[], signal: AbortSignal, startedAt: Date): Promise<void> {
    const [first] = targets;
    if (!first) return;
    const check = checkFor(first.kind);
    const results =
      targets.length > 1 && check.batch
        ? await check.batch.run(targets, signal)
        : [await check.run(first, signal)];
    const samples: Sample[] = [];
    for (const [i, target] of targets.entries()) {
      const result = results[i];
      if (!result) continue;
      // Aborted by stop(): no sample. A round that hit its budget still records the timeout.
      if (this.stopping && signal.aborted && !result.ok && result.error === 'timeout') {
        this.counts.rounds_aborted_total++;
        continue;
      }
      const seq = await this.seq.take(`${target.kind} ${target.series}`);
      samples.push(buildSample(this.config.node, target, result, startedAt, seq));
      bump(this.roundCounts.rounds, roundKey(target.kind, result.ok ? 'ok' : 'fail'));
      if (!result.ok) this.log.debug({ target: target.name, error: result.error }, 'check failed');
    }
    if (samples.length === 0) return;
    this.counts.samples_total += samples.length;
    try {
      // One write and one fdatasync for the round: from here on its samples survive kill -9.
      await this.buffer.append(samples);
      if (this.log.isLevelEnabled('debug')) {
        for (const { check, target, seq } of samples)
          this.log.debug({ check, target, seq }, 'sample buffered');
      }
      this.pusher.notify();
    } catch (err) {
      this.log.error({ err, targets: targets.map((t) => t.name) }, 'cannot buffer samples');
    }
  }

  /** Applies the buffer's max_age and touches the heartbeat file used by HEALTHCHECK. */
  private async housekeep(): Promise<void> {
    try {
      await this.buffer.maintain();
      const beat = join(this.config.buffer.dir, 'heartbeat');
      const now = new Date();
      await utimes(beat, now, now).catch(() => writeFile(beat, ''));
    } catch (err) {
      this.log.error({ err }, 'housekeeping failed');
    }
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.housekeeping);
      clearInterval(this.collecting);
      await this.scheduler?.stop();
      await this.pusher.stop({ flushMs: STOP_FLUSH_MS });
      await this.buffer.close();
      this.client.close();
      await this.metrics?.close();
      this.log.info({ ...this.buffer.stats(), ...this.counts }, 'probe stopped');
    })();
    return this.stopping;
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
