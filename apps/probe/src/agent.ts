import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Logger, withComponent } from '@fiberstack/logging';
import { DiskBuffer } from './buffer/disk-buffer.ts';
import type { Target } from './checks/check.types.ts';
import { checkFor } from './checks/registry.ts';
import type { ProbeConfig } from './config.ts';
import { ProbeMetrics } from './probe-metrics.ts';
import { PushClient } from './push/push-client.ts';
import { Pusher } from './push/pusher.ts';
import { buildSample } from './sample-builder.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import { SeqStore } from './seq-store.ts';
import { warmUp } from './warmup.ts';

const HOUSEKEEPING_MS = 15_000;

/**
 * The running probe: scheduler → checks → samples → durable buffer → pusher → API.
 * Start order: buffer and seq store open, warm-up, pusher, scheduler, metrics.
 * Stop order: scheduler (abort rounds) → pusher (settle the batch in flight) → buffer
 * (wait for appends, close) → metrics. `stop()` is idempotent.
 */
export class Agent {
  private scheduler: Scheduler | undefined;
  private housekeeping: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly config: ProbeConfig,
    private readonly log: Logger,
    private readonly buffer: DiskBuffer,
    private readonly seq: SeqStore,
    private readonly client: PushClient,
    private readonly pusher: Pusher,
    readonly metrics: ProbeMetrics,
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
      },
      withComponent(log, 'push'),
    );
    const metrics = new ProbeMetrics({ buffer: () => buffer.stats(), pusher: () => pusher.stats });
    return new Agent(config, log, buffer, seq, client, pusher, metrics);
  }

  async start(): Promise<void> {
    const stats = this.buffer.stats();
    this.log.info({ ...stats, targets: this.config.targets.length }, 'probe starting');
    await warmUp();
    this.pusher.start();
    this.scheduler = new Scheduler(this.config.targets, (t, signal, at) => this.round(t, signal, at), {
      concurrency: this.config.concurrency,
      onSkip: (t) => this.metrics.skipped.inc({ check: t.kind }),
    });
    this.scheduler.start();
    this.housekeeping = setInterval(() => void this.housekeep(), HOUSEKEEPING_MS);
    await this.housekeep();
    const listen = this.config.metrics_listen;
    if (listen) await this.metrics.listen(listen.host, listen.port);
    this.log.info({ metrics_listen: listen }, 'probe started');
  }

  private async round(target: Target, signal: AbortSignal, startedAt: Date): Promise<void> {
    const result = await checkFor(target.kind).run(target, signal);
    if (signal.aborted && !result.ok && result.error === 'timeout') {
      // Aborted by stop(): no sample. A round that hit its budget still records the timeout.
      if (this.stopping) return;
    }
    const seq = await this.seq.take(`${target.kind} ${target.series}`);
    const sample = buildSample(this.config.node, target, result, startedAt, seq);
    this.metrics.rounds.inc({ check: target.kind, outcome: result.ok ? 'ok' : 'fail' });
    if (!result.ok) this.log.debug({ target: target.name, error: result.error }, 'check failed');
    try {
      await this.buffer.append([sample]);
      this.pusher.notify();
    } catch (err) {
      this.log.error({ err, target: target.name }, 'cannot buffer sample');
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
      await this.scheduler?.stop();
      await this.pusher.stop();
      await this.buffer.close();
      this.client.close();
      await this.metrics.close();
      this.log.info(this.buffer.stats(), 'probe stopped');
    })();
    return this.stopping;
  }
}
