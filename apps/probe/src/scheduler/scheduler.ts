import { setMaxListeners } from 'node:events';
import type { Target } from '../checks/check.types.ts';
import { monotonicMs } from '../clock.ts';
import type { Job } from './jobs.ts';
import { Limiter } from './limiter.ts';

/** Measures the targets of one job's round (see jobs.ts). */
export type RoundRunner = (targets: readonly Target[], signal: AbortSignal, startedAt: Date) => Promise<void>;

export interface SchedulerOptions {
  concurrency: number;
  random?: () => number;
  /** Monotonic clock in ms (monotonicMs by default, see clock.ts). */
  now?: () => number;
  onSkip?: (targets: readonly Target[]) => void;
}

interface Slot {
  job: Job;
  /** Monotonic time of round n = first + n·interval. */
  first: number;
  n: number;
  timer?: NodeJS.Timeout;
  busy: boolean;
}

/**
 * Runs every job (a target, or a group measured together: jobs.ts) at its interval. Each job starts at a random offset within its
 * interval (no thundering herd) and then fires at first + n·interval on the monotonic clock,
 * so there is no drift however long it runs and wall-clock steps (NTP) do not bunch rounds.
 * A round that overruns its budget is aborted; a round whose predecessor still runs is
 * skipped (never two rounds of one job at once), and so is a round whose time passed while the
 * process could not run; skipped rounds are reported (onSkip) and not replayed.
 */
export class Scheduler {
  private readonly slots: Slot[] = [];
  private readonly limiter: Limiter;
  private readonly inflight = new Set<Promise<void>>();
  private readonly stopper = new AbortController();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    jobs: readonly Job[],
    private readonly runner: RoundRunner,
    private readonly o: SchedulerOptions,
  ) {
    this.limiter = new Limiter(o.concurrency);
    // Every running round listens on the stop signal: up to `concurrency` listeners, no leak.
    setMaxListeners(o.concurrency + 10, this.stopper.signal);
    this.now = o.now ?? monotonicMs;
    this.random = o.random ?? Math.random;
    for (const job of jobs) this.slots.push({ job, first: 0, n: 0, busy: false });
  }

  start(): void {
    const t = this.now();
    for (const slot of this.slots) {
      slot.first = t + this.random() * slot.job.interval_seconds * 1000;
      this.arm(slot);
    }
  }

  private arm(slot: Slot): void {
    if (this.stopper.signal.aborted) return;
    const period = slot.job.interval_seconds * 1000;
    const now = this.now();
    if (slot.first + slot.n * period < now) {
      // Woken more than an interval late (the process was stalled): the rounds whose time has
      // passed are not run late, and are counted as skipped like rounds cut by a busy predecessor.
      const next = Math.max(slot.n, Math.ceil((now - slot.first) / period));
      for (let missed = next - slot.n; missed > 0; missed--) this.o.onSkip?.(slot.job.targets);
      slot.n = next;
    }
    const due = slot.first + slot.n * period;
    slot.timer = setTimeout(() => this.fire(slot), Math.max(0, due - now));
  }

  private fire(slot: Slot): void {
    slot.n++;
    this.arm(slot);
    if (slot.busy) {
      this.o.onSkip?.(slot.job.targets);
      return;
    }
    slot.busy = true;
    const p = this.limiter
      .run(async () => {
        if (this.stopper.signal.aborted) return;
        const round = new AbortController();
        const stop = () => round.abort(new Error('probe stopping'));
        const timer = setTimeout(() => round.abort(new Error('round budget exceeded')), slot.job.budget_ms);
        this.stopper.signal.addEventListener('abort', stop, { once: true });
        try {
          await this.runner(slot.job.targets, round.signal, new Date());
        } finally {
          clearTimeout(timer);
          this.stopper.signal.removeEventListener('abort', stop);
        }
      })
      .catch(() => undefined)
      .finally(() => {
        slot.busy = false;
        this.inflight.delete(p);
      });
    this.inflight.add(p);
  }

  /** Stops firing, aborts running checks, and waits for their rounds to settle. */
  async stop(): Promise<void> {
    this.stopper.abort();
    for (const slot of this.slots) clearTimeout(slot.timer);
    await Promise.all([...this.inflight]);
  }
}
