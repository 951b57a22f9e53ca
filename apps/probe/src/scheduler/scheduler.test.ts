import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeTarget } from '../checks/make-target.ts';
import { planJobs } from './jobs.ts';
import { Scheduler } from './scheduler.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('Scheduler', () => {
  it('fires each target at start + offset + n·interval with no drift over hours', async () => {
    vi.useFakeTimers();
    const fired: number[] = [];
    const target = makeTarget('tcp', '127.0.0.1:1', { interval_seconds: 60 });
    const s = new Scheduler(
      planJobs([target]),
      async () => {
        fired.push(Date.now());
        await new Promise((r) => setTimeout(r, 1234)); // a round takes time: must not shift the grid
      },
      { concurrency: 4, random: () => 0.5, now: () => Date.now() },
    );
    const t0 = Date.now();
    s.start();
    await vi.advanceTimersByTimeAsync(6 * 3600_000 + 1000);
    await s.stop();
    expect(fired).toHaveLength(6 * 60);
    expect(fired.map((t) => t - t0)).toEqual(fired.map((_, n) => 30_000 + n * 60_000));
  });

  it('spreads first rounds over the interval (no thundering herd)', async () => {
    vi.useFakeTimers();
    const first = new Map<string, number>();
    const targets = Array.from({ length: 50 }, (_, i) =>
      makeTarget('tcp', `127.0.0.1:${i + 1}`, { interval_seconds: 60 }),
    );
    const t0 = Date.now();
    const s = new Scheduler(
      planJobs(targets),
      async ([t]) => {
        if (t && !first.has(t.target)) first.set(t.target, Date.now() - t0);
      },
      { concurrency: 8, now: () => Date.now() },
    );
    s.start();
    await vi.advanceTimersByTimeAsync(60_000);
    await s.stop();
    const offsets = [...first.values()];
    expect(offsets).toHaveLength(50);
    expect(Math.max(...offsets) - Math.min(...offsets)).toBeGreaterThan(30_000);
    const perSecond = new Map<number, number>();
    for (const o of offsets)
      perSecond.set(Math.floor(o / 1000), (perSecond.get(Math.floor(o / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThan(10);
  });

  it('bounds concurrency and aborts rounds that exceed their budget', async () => {
    vi.useFakeTimers();
    let running = 0;
    let peak = 0;
    let aborted = 0;
    const targets = Array.from({ length: 10 }, (_, i) =>
      makeTarget('tcp', `127.0.0.1:${i + 1}`, { interval_seconds: 60, timeout_ms: 500 }),
    );
    const s = new Scheduler(
      planJobs(targets),
      (_t, signal) =>
        new Promise<void>((resolve) => {
          running++;
          peak = Math.max(peak, running);
          signal.addEventListener('abort', () => {
            aborted++;
            running--;
            resolve();
          });
        }),
      { concurrency: 3, random: () => 0, now: () => Date.now() },
    );
    s.start();
    await vi.advanceTimersByTimeAsync(10_000);
    await s.stop();
    expect(peak).toBe(3);
    expect(aborted).toBe(10);
  });

  it('skips a round while the previous round of the target still runs', async () => {
    vi.useFakeTimers();
    const skipped: string[] = [];
    const target = makeTarget('tcp', '127.0.0.1:1', { interval_seconds: 1, timeout_ms: 900 });
    let calls = 0;
    const s = new Scheduler(
      planJobs([target]),
      async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 2500)); // ignores its signal
      },
      {
        concurrency: 1,
        random: () => 0,
        now: () => Date.now(),
        onSkip: (t) => skipped.push(...t.map((x) => x.name)),
      },
    );
    s.start();
    await vi.advanceTimersByTimeAsync(5_100);
    const stopped = s.stop();
    await vi.advanceTimersByTimeAsync(3_000);
    await stopped;
    expect(calls).toBe(2);
    expect(skipped.length).toBeGreaterThanOrEqual(3);
  });

  it('counts the rounds whose time passed while the process was stalled as skipped, and runs the next on its grid', async () => {
    vi.useFakeTimers();
    const skipped: string[] = [];
    const fired: number[] = [];
    let stall = 0; // the monotonic clock runs on while the process cannot
    const now = () => Date.now() + stall;
    const target = makeTarget('tcp', '127.0.0.1:1', { interval_seconds: 10 });
    const s = new Scheduler(
      planJobs([target]),
      async () => {
        fired.push(now());
      },
      { concurrency: 1, random: () => 0, now, onSkip: (t) => skipped.push(...t.map((x) => x.name)) },
    );
    const t0 = now();
    s.start();
    await vi.advanceTimersByTimeAsync(1); // round 0 at t0
    stall = 25_000; // rounds 1 (due t0+10 s) wakes 25 s late, at t0+35 s: 2 and 3 have passed
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.advanceTimersByTimeAsync(5_000); // round 4, on its grid at t0+40 s
    await s.stop();
    expect(fired.map((t) => t - t0)).toEqual([0, 35_000, 40_000]);
    expect(skipped).toEqual([target.name, target.name]);
  });

  it('measures icmp targets of equal interval and options in shared rounds, up to the batch size', async () => {
    vi.useFakeTimers();
    const icmp = (i: number, interval_seconds = 60) =>
      makeTarget('icmp', `127.0.0.${i}`, { interval_seconds, timeout_ms: 1000 });
    const targets = [
      ...Array.from({ length: 70 }, (_, i) => icmp(i + 1)),
      icmp(200, 30),
      makeTarget('icmp', '127.0.1.1', { interval_seconds: 60, icmp: { count: 20, interval_ms: 200 } }),
      makeTarget('tcp', '127.0.0.1:1', { interval_seconds: 60 }),
    ];
    const jobs = planJobs(targets);
    expect(jobs.map((j) => j.targets.length)).toEqual([1, 64, 6, 1, 1]);
    expect(jobs[1]!.targets.map((t) => t.target)).toEqual(targets.slice(0, 64).map((t) => t.target));
    // 64 hosts interleaved 3 ms apart (200 ms / 64): 1 s timeout + 4 × 200 ms + 192 ms + 1 s.
    expect(jobs[1]!.budget_ms).toBe(1000 + 4 * 200 + 192 + 1000);
    const rounds: number[] = [];
    const s = new Scheduler(jobs, async (group) => void rounds.push(group.length), {
      concurrency: 4,
      random: () => 0.5,
      now: () => Date.now(),
    });
    s.start();
    await vi.advanceTimersByTimeAsync(60_000);
    await s.stop();
    expect(rounds.sort((a, b) => a - b)).toEqual([1, 1, 1, 1, 6, 64]);
  });
});
