import { setTimeout as sleep } from 'node:timers/promises';
import type { PushBatch } from '@fiberstack/contracts';
import type { Logger } from '@fiberstack/logging';
import type { DiskBuffer } from '../buffer/disk-buffer.ts';
import { Backoff } from './backoff.ts';
import type { PushClient, PushOutcome } from './push-client.ts';

/** The decompressed body limit of the API is 1 MiB; stay clear of it with the JSON framing. */
const MAX_BATCH_JSON_BYTES = 1_000_000;

export interface PusherOptions {
  batchSize: number;
  maxRatePerS: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** How long to idle when the buffer is empty and no append wakes us. */
  idleMs?: number;
  /**
   * Batching delay: a batch smaller than `batchSize` waits until its oldest sample is this
   * old (ms since the round started), so a probe sends a few requests per minute instead of
   * one per round. A backlog, a full batch and a stop flush go at once. 0 = send at once.
   */
  lingerMs?: number;
  random?: () => number;
  /** Told the wait chosen before each retry (tests, debugging). */
  onRetryWait?: (waitMs: number) => void;
  /** How long stop() lets a request in flight finish before cancelling it. */
  stopGraceMs?: number;
}

export interface PusherStats {
  attempts_total: number;
  retries_total: number;
  accepted_total: number;
  rejected_batches_total: number;
  last_success_ms: number;
}

/**
 * Drains the buffer in order, one batch in flight (so per-series order is preserved):
 * 2xx → ack; final 4xx → ack as rejected and log loudly; anything else → keep the batch,
 * wait Retry-After (+ up to 10 % jitter, never below the backoff base, so `Retry-After: 0`
 * cannot cause a hot loop) or the capped jittered backoff, then send it again.
 * After an outage the backlog drains at most `maxRatePerS` samples per second.
 */
export class Pusher {
  private readonly backoff: Backoff;
  /** Ends the loop: no new batch is started, waits are cut short. */
  private readonly stopper = new AbortController();
  /** Cancels the request in flight; fired only when it outlives the stop grace period. */
  private readonly sendAbort = new AbortController();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** The last send reached the API and settled (2xx or final 4xx), so a flush can succeed. */
  private reachable = false;
  /** stop() is flushing: no linger, every append wakes the loop. */
  private draining = false;
  readonly stats: PusherStats = {
    attempts_total: 0,
    retries_total: 0,
    accepted_total: 0,
    rejected_batches_total: 0,
    last_success_ms: 0,
  };

  constructor(
    private readonly buffer: DiskBuffer,
    private readonly client: PushClient,
    private readonly o: PusherOptions,
    private readonly log: Logger,
  ) {
    this.backoff = new Backoff(o.backoffBaseMs, o.backoffCapMs, o.random);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Called after appends: ends an idle wait early. */
  notify(): void {
    this.wake?.();
  }

  /** Waits `ms`, or less when notify() is called and `wakeIf()` holds, or stop. */
  private async idle(ms: number, wakeIf: () => boolean = () => true): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      const signal = this.stopper.signal;
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      this.wake = () => {
        if (wakeIf()) done();
      };
      signal.addEventListener('abort', done, { once: true });
    });
    this.wake = undefined;
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stopper.signal }).catch(() => undefined);
  }

  private async run(): Promise<void> {
    const signal = this.stopper.signal;
    while (!signal.aborted) {
      try {
        await this.cycle(signal);
      } catch (err) {
        const wait = this.backoff.next();
        this.log.error({ err, wait_ms: wait }, 'push loop failed, will retry');
        await this.pause(wait);
      }
    }
  }

  private async cycle(signal: AbortSignal): Promise<void> {
    {
      const peeked = await this.buffer.peek(this.o.batchSize, MAX_BATCH_JSON_BYTES);
      if (peeked.samples.length === 0) {
        await this.idle(this.o.idleMs ?? 1000);
        return;
      }
      const linger = this.lingerLeft(peeked.samples);
      if (linger > 0) {
        this.buffer.release();
        await this.idle(
          linger,
          () => this.draining || this.buffer.stats().pending_records >= this.o.batchSize,
        );
        return;
      }
      const dropped = this.buffer.stats().dropped_unreported;
      const batch: PushBatch = { samples: peeked.samples, ...(dropped > 0 ? { dropped } : {}) };
      const started = Date.now();
      this.stats.attempts_total++;
      const outcome = await this.client.send(batch, this.sendAbort.signal);
      if (signal.aborted && outcome.kind === 'retry') {
        this.buffer.release();
        return;
      }
      await this.settle(outcome, peeked.end, peeked.samples.length, dropped);
      this.reachable = outcome.kind !== 'retry';
      if (outcome.kind === 'retry') {
        this.stats.retries_total++;
        const wait =
          outcome.retryAfterMs !== undefined
            ? Math.max(
                this.o.backoffBaseMs,
                Math.round(outcome.retryAfterMs * (1 + 0.1 * (this.o.random ?? Math.random)())),
              )
            : this.backoff.next();
        this.log.warn(
          { status: outcome.status, reason: outcome.reason, wait_ms: wait },
          'push failed, will retry',
        );
        this.o.onRetryWait?.(wait);
        await this.pause(wait);
        return;
      }
      const minGap = (peeked.samples.length / this.o.maxRatePerS) * 1000;
      const spent = Date.now() - started;
      if (spent < minGap) await this.pause(minGap - spent);
    }
  }

  /** How much longer a small batch should wait for company (see `lingerMs`). */
  private lingerLeft(samples: readonly PushBatch['samples'][number][]): number {
    const linger = this.o.lingerMs ?? 0;
    if (linger <= 0 || this.draining || samples.length >= this.o.batchSize) return 0;
    const ts = samples[0]?.timestamp;
    const t = typeof ts === 'number' ? ts : Date.parse(ts ?? '');
    if (!Number.isFinite(t)) return 0;
    return Math.min(linger, Math.max(0, t + linger - Date.now()));
  }

  private async settle(
    outcome: PushOutcome,
    end: Parameters<DiskBuffer['ack']>[0],
    count: number,
    dropped: number,
  ): Promise<void> {
    if (outcome.kind === 'accepted') {
      await this.buffer.ack(end, { reportedDropped: dropped, rejected: outcome.rejectedSamples });
      this.backoff.reset();
      this.stats.accepted_total += count - outcome.rejectedSamples;
      this.stats.last_success_ms = Date.now();
      if (outcome.rejectedSamples > 0) {
        this.log.error(
          { rejected: outcome.rejectedSamples, count },
          'api refused samples of an accepted batch',
        );
      }
    } else if (outcome.kind === 'rejected') {
      await this.buffer.ack(end, { rejected: count });
      this.backoff.reset();
      this.stats.rejected_batches_total++;
      this.log.error(
        { status: outcome.status, count, detail: outcome.detail },
        'api rejected a batch with a final status; its samples are dropped',
      );
    } else {
      this.buffer.release();
    }
  }

  /**
   * Stops after the batch in flight settles (its result is persisted), so a graceful stop
   * does not make the API see the same batch twice. With `flushMs`, while the API answers
   * (the last push settled) the loop first keeps draining the buffer for up to that long,
   * so the samples of the last rounds go out now instead of at the next start. A request
   * still running after `stopGraceMs` (default 5 s) is cancelled and its samples stay
   * buffered. Idempotent.
   */
  async stop(o: { flushMs?: number } = {}): Promise<void> {
    if (o.flushMs && this.loop && !this.stopper.signal.aborted) await this.flush(o.flushMs);
    this.stopper.abort();
    const grace = setTimeout(() => this.sendAbort.abort(), this.o.stopGraceMs ?? 5000);
    try {
      await this.loop;
    } finally {
      clearTimeout(grace);
    }
  }

  private async flush(ms: number): Promise<void> {
    const end = Date.now() + ms;
    this.draining = true;
    while (this.reachable && this.buffer.stats().pending_records > 0 && Date.now() < end) {
      this.notify();
      await sleep(10);
    }
  }
}
