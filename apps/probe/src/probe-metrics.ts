import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { BufferStats } from './buffer/disk-buffer.ts';
import type { PusherStats } from './push/pusher.ts';

/** Rounds run per check kind and outcome, and rounds skipped per kind (kept by the agent). */
export interface RoundCounts {
  rounds: Map<string, number>;
  skipped: Map<string, number>;
}

export interface MetricSources {
  buffer: () => BufferStats;
  pusher: () => PusherStats;
  counts: RoundCounts;
}

/** Key of `RoundCounts.rounds`. */
export const roundKey = (check: string, outcome: 'ok' | 'fail') => `${check} ${outcome}`;

/**
 * The probe's self-metrics on `metrics_listen` (a private prom-client registry). Loaded only
 * when metrics_listen is set: prom-client and its registry cost ~1 MB of a probe's memory,
 * so the agent counts in plain maps and this module reads them at scrape time.
 */
export class ProbeMetrics {
  private server: Server | undefined;

  private constructor(readonly registry: Registry) {}

  static async create(sources: MetricSources): Promise<ProbeMetrics> {
    // `default` is prom-client's module.exports, under node and in the bundle's chunk alike
    // (the chunk of a CommonJS module exports nothing else).
    const { Counter, Gauge, Registry } = (await import('prom-client')).default;
    const registry = new Registry();
    const r = [registry];
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: r,
        collect() {
          this.set(read());
        },
      });
    gauge(
      'fiberstack_probe_buffer_pending_samples',
      'Samples buffered, not yet accepted',
      () => sources.buffer().pending_records,
    );
    gauge(
      'fiberstack_probe_buffer_pending_bytes',
      'Bytes of buffered samples',
      () => sources.buffer().pending_bytes,
    );
    gauge(
      'fiberstack_probe_buffer_dropped_total',
      'Samples dropped by buffer limits (persisted)',
      () => sources.buffer().dropped_total,
    );
    gauge(
      'fiberstack_probe_rejected_total',
      'Samples refused by the API with a final status',
      () => sources.buffer().rejected_total,
    );
    gauge(
      'fiberstack_probe_buffer_corrupt_total',
      'Torn or corrupt records skipped on open',
      () => sources.buffer().corrupt_total,
    );
    gauge(
      'fiberstack_probe_push_attempts_total',
      'Push requests sent',
      () => sources.pusher().attempts_total,
    );
    gauge(
      'fiberstack_probe_push_retries_total',
      'Push requests that will be retried',
      () => sources.pusher().retries_total,
    );
    gauge('fiberstack_probe_push_last_success_timestamp_seconds', 'Unix time of the last accepted push', () =>
      Math.floor(sources.pusher().last_success_ms / 1000),
    );
    new Counter({
      name: 'fiberstack_probe_rounds_total',
      help: 'Check rounds run',
      labelNames: ['check', 'outcome'],
      registers: r,
      collect() {
        this.reset();
        for (const [key, value] of sources.counts.rounds) {
          const [check = '', outcome = ''] = key.split(' ');
          this.inc({ check, outcome }, value);
        }
      },
    });
    new Counter({
      name: 'fiberstack_probe_rounds_skipped_total',
      help: 'Rounds not run: the previous round of the target still ran, or the probe was stalled past their time',
      labelNames: ['check'],
      registers: r,
      collect() {
        this.reset();
        for (const [check, value] of sources.counts.skipped) this.inc({ check }, value);
      },
    });
    return new ProbeMetrics(registry);
  }

  async listen(host: string, port: number): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, resolve);
    });
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
