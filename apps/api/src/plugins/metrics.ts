import type { Queue } from '@fiberstack/queue';
import { collectProcessMetrics } from '@fiberstack/runtime';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  httpInProgress: Gauge<'method'>;
  samplesQueued: Counter;
  samplesRejected: Counter<'reason'>;
}

/**
 * The API's Prometheus metrics in `registry` (a new one when omitted), with the default
 * process metrics registered once per registry. In all-in-one mode the ETL registers its
 * own metrics in the same registry and one /metrics serves both.
 */
export function createMetrics(registry: Registry = new Registry()): ApiMetrics {
  collectProcessMetrics(registry);
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    httpInProgress: new Gauge({
      name: 'http_requests_inprogress',
      help: 'HTTP requests being handled',
      labelNames: ['method'],
      registers,
    }),
    samplesQueued: new Counter({
      name: 'fiberstack_samples_queued_total',
      help: 'Samples accepted and durably queued',
      registers,
    }),
    samplesRejected: new Counter({
      name: 'fiberstack_samples_rejected_total',
      help: 'Samples rejected at the API, by reason code',
      labelNames: ['reason'],
      registers,
    }),
  };
}

/** What the rollup answer cache (services/rollup-cache.ts) did, read at scrape time. */
export function registerRollupCacheMetrics(
  registry: Registry,
  stats: { readonly hits: number; readonly misses: number; readonly stale: number; readonly bytes: number },
): void {
  if (registry.getSingleMetric('fiberstack_api_rollup_cache_requests_total')) return;
  new Counter({
    name: 'fiberstack_api_rollup_cache_requests_total',
    help: 'Rollup reads (hourly/daily series, per-country aggregates) answered from kept answers (hit), from the database (miss), or from the answer before the last rollup change while it is computed again (stale)',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ result: 'hit' }, stats.hits);
      this.inc({ result: 'miss' }, stats.misses);
      this.inc({ result: 'stale' }, stats.stale);
    },
  });
  new Gauge({
    name: 'fiberstack_api_rollup_cache_bytes',
    help: 'Size of the kept rollup answers (characters of JSON)',
    registers: [registry],
    collect() {
      this.set(stats.bytes);
    },
  });
}

/** fiberstack_queue_depth and fiberstack_queue_pending, read from queue.stats() at scrape time. */
export function registerQueueDepth(registry: Registry, queue: Queue): void {
  if (registry.getSingleMetric('fiberstack_queue_depth')) return;
  new Gauge({
    name: 'fiberstack_queue_depth',
    help: 'Entries waiting in the queue',
    registers: [registry],
    async collect() {
      try {
        this.set((await queue.stats()).depth);
      } catch {
        this.set(Number.NaN);
      }
    },
  });
  new Gauge({
    name: 'fiberstack_queue_pending',
    help: 'Entries delivered to a worker and not yet acknowledged',
    registers: [registry],
    async collect() {
      try {
        this.set((await queue.stats()).pending);
      } catch {
        this.set(Number.NaN);
      }
    },
  });
}

/** Request counters and the /metrics route. */
export function registerHttpMetrics(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onRequest', (request, _reply, done) => {
    metrics.httpInProgress.inc({ method: request.method });
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    metrics.httpInProgress.dec({ method: request.method });
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', { schema: { hide: true }, config: { rateLimit: false } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
