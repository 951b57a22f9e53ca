import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type ApiProcesses,
  blueprintSample,
  percentile,
  printFigures,
  startApiProcesses,
  tally,
} from './support.ts';

/**
 * S12: one probe key at 10× its push limit, spread over two real `fiberstack api` replicas that
 * share their counters in Redis, while five other keys push at a polite rate. ≥ 90 % of the excess
 * is answered 429 with Retry-After; the accepted total across both replicas is the key's limit
 * ± 10 %; the other keys are never limited and their p99 push latency is compared with a quiet
 * baseline (printed; asserted within 10 % or 25 ms, the headroom a loaded 2-core machine needs).
 * Scaled for CI: the attack lasts 20 s inside one 60 s window (the limit is per minute).
 */
const LIMIT = 120;
const ATTACK_S = 20;
const BASELINE_S = 10;
const ATTACK_RPS = (10 * LIMIT) / 60;
const VICTIMS = 5;
const VICTIM_RPS = 2;

let api: ApiProcesses;
let attacker: string;
const victims: string[] = [];

beforeAll(async () => {
  api = await startApiProcesses(2, {
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_PUSH_PER_MIN: String(LIMIT),
    RATE_LIMIT_READ_PER_MIN: '100000',
  });
  attacker = (await api.createKey('probe-attacker-01')).key;
  for (let i = 0; i < VICTIMS; i++) victims.push((await api.createKey(`probe-victim-0${i}`)).key);
}, 120_000);
afterAll(async () => api?.stop());

interface Shot {
  replica: number;
  status: number;
  retryAfter: string | null;
  ms: number;
}

async function shoot(key: string, node: string, replica: number): Promise<Shot> {
  const t0 = performance.now();
  const res = await fetch(`${api.urls[replica]}/api/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(blueprintSample({ node_id: node })),
  });
  await res.arrayBuffer();
  return {
    replica,
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    ms: performance.now() - t0,
  };
}

/** Fires `rps` requests per second for `seconds` (open loop), alternating replicas. */
async function run(rps: number, seconds: number, fire: (i: number) => Promise<Shot>): Promise<Shot[]> {
  const shots: Promise<Shot>[] = [];
  const started = performance.now();
  const total = Math.round(rps * seconds);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rps;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    shots.push(fire(i));
  }
  return Promise.all(shots);
}

const victimLoad = (seconds: number) =>
  run(VICTIMS * VICTIM_RPS, seconds, (i) =>
    shoot(victims[i % VICTIMS] ?? '', `probe-victim-0${i % VICTIMS}`, i % 2),
  );

it('S12 answers a key at 10× its limit 429 across both replicas and leaves other keys alone', async () => {
  await victimLoad(2); // warm-up (JIT, connections), not measured
  const before = await api.state();
  const baseline = await victimLoad(BASELINE_S);
  const [attack, during] = await Promise.all([
    run(ATTACK_RPS, ATTACK_S, (i) => shoot(attacker, 'probe-attacker-01', i % 2)),
    victimLoad(ATTACK_S),
  ]);
  const after = await api.state();
  const accepted = attack.filter((s) => s.status === 202);
  const limited = attack.filter((s) => s.status === 429);
  const withRetryAfter = limited.filter((s) => Number(s.retryAfter) > 0);
  const excess = attack.length - LIMIT;
  const p99Base = percentile(
    baseline.map((s) => s.ms),
    99,
  );
  const p99During = percentile(
    during.map((s) => s.ms),
    99,
  );
  printFigures('S12', {
    limit_per_min: LIMIT,
    attack_requests: attack.length,
    attack_rps: ATTACK_RPS,
    attack_seconds: ATTACK_S,
    attack_statuses: tally(attack.map((s) => s.status)),
    accepted_per_replica: [0, 1].map((r) => accepted.filter((s) => s.replica === r).length),
    accepted_total: accepted.length,
    excess,
    excess_answered_429_pct: Math.round((limited.length / excess) * 1000) / 10,
    retry_after_on_429_pct: limited.length
      ? Math.round((withRetryAfter.length / limited.length) * 1000) / 10
      : 0,
    victim_requests: baseline.length + during.length,
    victim_statuses: tally([...baseline, ...during].map((s) => s.status)),
    victim_p99_ms_baseline: p99Base,
    victim_p99_ms_under_attack: p99During,
    victim_p99_change_pct: Math.round(((p99During - p99Base) / p99Base) * 1000) / 10,
    queued_delta: after.queued - before.queued,
  });
  expect(limited.length).toBeGreaterThanOrEqual(0.9 * excess);
  expect(withRetryAfter.length).toBe(limited.length);
  expect(Math.abs(accepted.length - LIMIT)).toBeLessThanOrEqual(0.1 * LIMIT);
  expect(accepted.filter((s) => s.replica === 0).length).toBeGreaterThan(0);
  expect(accepted.filter((s) => s.replica === 1).length).toBeGreaterThan(0);
  expect([...baseline, ...during].every((s) => s.status === 202)).toBe(true);
  expect(p99During).toBeLessThanOrEqual(Math.max(p99Base * 1.1, p99Base + 25));
  // Every 202 (and only those) reached the stream.
  expect(after.queued - before.queued).toBe(accepted.length + baseline.length + during.length);
}, 180_000);
