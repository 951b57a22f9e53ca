/**
 * The open-loop push generator of `bench ingest`'s latency phase, in a worker thread: its own
 * V8 heap, new for each run, so the bench process's heap (grown by the throughput phase) and
 * its collections never delay a send. Sends single-sample pushes at `rate` for `seconds` and
 * measures each answer from its scheduled send time (a stall anywhere counts). Its state is
 * a few counters and one preallocated array, so it collects little garbage itself. Requests go
 * through the lean client (lean-http.ts): half the CPU per request of node:http's.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { benchSample } from './http-load.ts';
import { createLeanClient, type LeanClient, postHead } from './lean-http.ts';

export interface OpenLoopInput {
  url: string;
  nodes: string[];
  keys: string[];
  rate: number;
  /** The runs, in order, over the same connections (a warm-up, then the measured run). */
  runs: number[];
  /** Pause between runs, ms. */
  pauseMs: number;
  targets: number;
  /** Sample time of the first push's second (ms); each series advances one second per round. */
  base: number;
}

export interface OpenLoopOutput {
  total: number;
  statuses: Record<string, number>;
  /** ms from scheduled send to answer, one per push, unsorted. */
  latencies: Float64Array;
  elapsedS: number;
}

/** One run of `seconds`; `first` is the index of its first push (no sample repeats across runs). */
async function run(
  o: OpenLoopInput,
  client: LeanClient,
  heads: string[],
  seconds: number,
  first: number,
): Promise<OpenLoopOutput> {
  const total = Math.round(o.rate * seconds);
  const latencies = new Float64Array(total);
  const statuses: Record<string, number> = {};
  let answered = 0;
  let sent = 0;
  let allAnswered: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    allAnswered = resolve;
  });
  const started = performance.now();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * o.rate) + 1);
    for (; sent < due; sent++) {
      const n = sent;
      const scheduled = started + (n / o.rate) * 1000;
      const i = first + n;
      const nodeIdx = i % o.nodes.length;
      const target = Math.floor(i / o.nodes.length) % o.targets;
      const t = o.base + Math.floor(i / o.nodes.length / o.targets) * 1000;
      const body = benchSample(o.nodes[nodeIdx] as string, target, t, 25);
      void client.request(heads[nodeIdx] as string, body).then((status) => {
        latencies[n] = performance.now() - scheduled;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (++answered === total) allAnswered();
      });
    }
    // A 1 ms timer between rounds (not a spin): the generator must not steal the CPU it measures.
    await new Promise((res) => setTimeout(res, 1));
  }
  await finished;
  return { total, statuses, latencies, elapsedS: (performance.now() - started) / 1000 };
}

/** What the worker posts: each run's start, then its figures. */
export type OpenLoopMessage = { run: number; started: true } | { run: number; output: OpenLoopOutput };

if (parentPort) {
  const port = parentPort;
  const o = workerData as OpenLoopInput;
  const client = createLeanClient(o.url, 256);
  const heads = o.keys.map((key) => postHead(o.url, '/api/push', { authorization: `Bearer ${key}` }));
  let first = 0;
  for (const [i, seconds] of o.runs.entries()) {
    if (i > 0) await new Promise((res) => setTimeout(res, o.pauseMs));
    port.postMessage({ run: i, started: true } satisfies OpenLoopMessage);
    const output = await run(o, client, heads, seconds, first);
    first += output.total;
    port.postMessage({ run: i, output } satisfies OpenLoopMessage, [output.latencies.buffer as ArrayBuffer]);
  }
  client.close();
}
