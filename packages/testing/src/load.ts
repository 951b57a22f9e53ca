import type { Oracle, OracleSample } from './oracle.ts';

export interface LoadNode {
  nodeId: string;
  /** The node's probe key (one key is bound to one node_id). */
  key: string;
}

export interface LoadOptions {
  /** Base URL: nginx, an API, or a proxy in front of them. */
  url: string;
  nodes: readonly LoadNode[];
  oracle: Oracle;
  /** Samples to generate in all. */
  total: number;
  /** Samples per push (≤ 1000). */
  batchSize: number;
  /** Batches in flight at once (simulated probes pushing in parallel). */
  concurrency: number;
  /** Series per node (targets); default 10. */
  targetsPerNode?: number;
  /** Cap on generated samples per second; default unlimited. */
  ratePerSec?: number;
  /** Backoff after a connection error or 5xx: from min doubling to max, jittered. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Retry-After is honoured up to this (tests compress time); default 1000 ms. */
  retryAfterCapMs?: number;
  /** Per-request timeout; default 15 s. */
  timeoutMs?: number;
  /** Time of seq 1; sample seq n is at baseTimeMs + n ms (unique per series). Default now − 1 h. */
  baseTimeMs?: number;
  /** Called after every answer (or connection error, status 0). */
  onResponse?: (status: number, latencyMs: number, at: number, samples: number) => void;
  /** Record when each sample was acknowledged (acceptedAt()). */
  trackAccepts?: boolean;
}

export interface LoadStats {
  /** Answers by status ('202', '503', …) and 'conn_error' for refused/reset/timeout. */
  status: Record<string, number>;
  batches_generated: number;
  batches_accepted: number;
  samples_generated: number;
  samples_accepted: number;
  attempts: number;
  retries: number;
  /** Batches dropped on a non-retryable 4xx (a harness bug in these tests). */
  given_up: number;
  /** 429/503 answers without a Retry-After header. */
  missing_retry_after: number;
  /** Latency of 2xx answers. */
  latency_ms: { p50: number; p99: number; max: number };
}

export interface LoadRun {
  readonly stats: LoadStats;
  /** When the sample was acknowledged (trackAccepts), else undefined. */
  acceptedAt(sample: OracleSample): number | undefined;
  /** Every acknowledged sample with the time of its first 2xx (trackAccepts). */
  accepted(): IterableIterator<{ sample: OracleSample; at: number }>;
  /** Stop generating new batches; in-flight ones are still retried until acknowledged. */
  stopGenerating(): void;
  /** Resolves when every generated batch was acknowledged (or given up). */
  done: Promise<LoadStats>;
}

const CHECK = 'icmp';
const keyOf = (s: OracleSample) => `${s.node}\u0000${s.target}\u0000${s.check}\u0000${s.seq}`;

/**
 * An HTTP push load generator with the probe's retry rules: a batch is kept until it gets a
 * 2xx; connection errors and 5xx are retried with capped jittered backoff, 429/503 after
 * Retry-After; other 4xx are not retried. Every sample is recorded in the oracle.
 */
export function startLoad(options: LoadOptions): LoadRun {
  const targets = options.targetsPerNode ?? 10;
  const baseTime = options.baseTimeMs ?? Date.now() - 3_600_000;
  const retryMin = options.retryMinMs ?? 100;
  const retryMax = options.retryMaxMs ?? 2_000;
  const raCap = options.retryAfterCapMs ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const accepts = new Map<string, { sample: OracleSample; at: number }>();
  const latencies: number[] = [];
  const stats: LoadStats = {
    status: {},
    batches_generated: 0,
    batches_accepted: 0,
    samples_generated: 0,
    samples_accepted: 0,
    attempts: 0,
    retries: 0,
    given_up: 0,
    missing_retry_after: 0,
    latency_ms: { p50: 0, p99: 0, max: 0 },
  };
  let generating = true;
  let batchNo = 0;
  const started = Date.now();

  function nextBatch(): { node: LoadNode; body: string; samples: OracleSample[] } | null {
    const remaining = options.total - stats.samples_generated;
    if (!generating || remaining <= 0) return null;
    const node = options.nodes[batchNo % options.nodes.length];
    if (!node) return null;
    batchNo++;
    const n = Math.min(options.batchSize, remaining);
    const samples: OracleSample[] = [];
    const body: Record<string, unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const target = `t${(stats.samples_generated + i) % targets}.example.net`;
      const seq = options.oracle.next({ node: node.nodeId, target, check: CHECK });
      samples.push({ node: node.nodeId, target, check: CHECK, seq });
      body.push({
        node_id: node.nodeId,
        country: 'GH',
        region: 'Accra',
        latency_ms: 10 + (seq % 50),
        uptime_pct: 100,
        packet_loss: 0,
        timestamp: new Date(baseTime + seq).toISOString(),
        target,
        check: CHECK,
        seq,
      });
    }
    stats.samples_generated += n;
    stats.batches_generated++;
    return { node, body: JSON.stringify({ samples: body }), samples };
  }

  async function pace(): Promise<void> {
    if (!options.ratePerSec) return;
    const due = started + (stats.samples_generated / options.ratePerSec) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
  }

  async function send(batch: { node: LoadNode; body: string; samples: OracleSample[] }): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      stats.attempts++;
      if (attempt > 1) stats.retries++;
      const t0 = performance.now();
      let status = 0;
      let retryAfter: string | null = null;
      try {
        const res = await fetch(`${options.url}/api/push`, {
          method: 'POST',
          headers: { authorization: `Bearer ${batch.node.key}`, 'content-type': 'application/json' },
          body: batch.body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        await res.arrayBuffer();
      } catch {
        status = 0;
      }
      const latency = performance.now() - t0;
      const at = Date.now();
      const label = status === 0 ? 'conn_error' : String(status);
      stats.status[label] = (stats.status[label] ?? 0) + 1;
      options.onResponse?.(status, latency, at, batch.samples.length);
      if (status >= 200 && status < 300) {
        latencies.push(latency);
        stats.batches_accepted++;
        stats.samples_accepted += batch.samples.length;
        if (options.trackAccepts) for (const s of batch.samples) accepts.set(keyOf(s), { sample: s, at });
        return;
      }
      if (status >= 400 && status < 500 && status !== 429) {
        stats.given_up++;
        return;
      }
      if ((status === 429 || status === 503) && !retryAfter) stats.missing_retry_after++;
      const backoff = Math.min(retryMax, retryMin * 2 ** Math.min(attempt - 1, 20));
      const ra = retryAfter ? Math.min(raCap, Number(retryAfter) * 1000 || raCap) : 0;
      await sleep(Math.max(ra, backoff / 2 + Math.random() * (backoff / 2)));
    }
  }

  async function worker(): Promise<void> {
    for (;;) {
      await pace();
      const batch = nextBatch();
      if (!batch) return;
      await send(batch);
    }
  }

  const done = Promise.all(Array.from({ length: options.concurrency }, worker)).then(() => {
    latencies.sort((a, b) => a - b);
    const pick = (q: number) =>
      Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
    stats.latency_ms = { p50: pick(0.5), p99: pick(0.99), max: Math.round(latencies.at(-1) ?? 0) };
    return stats;
  });
  return {
    stats,
    acceptedAt: (s) => accepts.get(keyOf(s))?.at,
    accepted: () => accepts.values(),
    stopGenerating() {
      generating = false;
    },
    done,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
