import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { BufferStats } from './buffer/disk-buffer.ts';
import type { PusherStats } from './push/pusher.ts';

export interface MetricSources {
  buffer: () => BufferStats;
  pusher: () => PusherStats;
}

/** The probe's self-metrics (a private registry), served on metrics_listen only. */
export class ProbeMetrics {
  readonly registry = new Registry();
  readonly rounds: Counter<'check' | 'outcome'>;
  readonly skipped: Counter<'check'>;
  private server: Server | undefined;

  constructor(sources: MetricSources) {
    const r = [this.registry];
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
    this.rounds = new Counter({
      name: 'fiberstack_probe_rounds_total',
      help: 'Check rounds run',
      labelNames: ['check', 'outcome'],
      registers: r,
    });
    this.skipped = new Counter({
      name: 'fiberstack_probe_rounds_skipped_total',
      help: 'Rounds skipped because the previous round of the target still ran',
      labelNames: ['check'],
      registers: r,
    });
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
