import { setMaxListeners } from 'node:events';
import type { Target } from '../checks/check.types.ts';
import { roundBudgetMs } from '../checks/round-budget.ts';
import { monotonicMs } from '../clock.ts';
import { Limiter } from './limiter.ts';

export type RoundRunner = (target: Target, signal: AbortSignal, startedAt: Date) => Promise<void>;

export interface SchedulerOptions {
  concurrency: number;
  random?: () => number;
  /** Monotonic clock in ms (monotonicMs by default, see clock.ts). */
  now?: () => number;
  onSkip?: (target: Target) => void;
}

interface Slot {
  target: Target;
  /** Monotonic time of round n = first + n·interval. */
  first: number;
  n: number;
  timer?: NodeJS.Timeout;
  busy: boolean;
}

/**
 * Runs every target at its interval. Each target starts at a random offset within its
 * interval (no thundering herd) and then fires at first + n·interval on the monotonic clock,
 * so there is no drift however long it runs and wall-clock steps (NTP) do not bunch rounds.
 * A round that overruns its budget is aborted; a round whose predecessor still runs is
 * skipped (never two rounds of one target at once); missed rounds are not replayed.
 */
export class Scheduler {
  private readonly slots: Slot[] = [];
  private readonly limiter: Limiter;
  private readonly inflight = new Set<Promise<void>>();
  private readonly stopper = new AbortController();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(
    targets: readonly Target[],
    private readonly runner: RoundRunner,
    private readonly o: SchedulerOptions,
  ) {
    this.limiter = new Limiter(o.concurrency);
    // Every running round listens on the stop signal: up to `concurrency` listeners, no leak.
    setMaxListeners(o.concurrency + 10, this.stopper.signal);
    this.now = o.now ?? monotonicMs;
    this.random = o.random ?? Math.random;
    for (const target of targets) this.slots.push({ target, first: 0, n: 0, busy: false });
  }

  start(): void {
    const t = this.now();
    for (const slot of this.slots) {
      slot.first = t + this.random() * slot.target.interval_seconds * 1000;
      this.arm(slot);
    }
  }

  private arm(slot: Slot): void {
    if (this.stopper.signal.aborted) return;
    const period = slot.target.interval_seconds * 1000;
    const now = this.now();
    if (slot.first + slot.n * period < now) slot.n = Math.max(slot.n, Math.ceil((now - slot.first) / period));
    const due = slot.first + slot.n * period;
    slot.timer = setTimeout(() => this.fire(slot), Math.max(0, due - now));
  }

  private fire(slot: Slot): void {
    slot.n++;
    this.arm(slot);
    if (slot.busy) {
      this.o.onSkip?.(slot.target);
      return;
    }
    slot.busy = true;
    const p = this.limiter
      .run(async () => {
        if (this.stopper.signal.aborted) return;
        const round = new AbortController();
        const stop = () => round.abort(new Error('probe stopping'));
        const timer = setTimeout(
          () => round.abort(new Error('round budget exceeded')),
          roundBudgetMs(slot.target),
        );
        this.stopper.signal.addEventListener('abort', stop, { once: true });
        try {
          await this.runner(slot.target, round.signal, new Date());
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
