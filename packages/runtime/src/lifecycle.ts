import type { Logger } from '@fiberstack/logging';

/** One part of a process that is started in order and stopped in reverse order. */
export interface Component {
  start?: () => Promise<void> | void;
  stop: () => Promise<void> | void;
}

export interface LifecycleOptions {
  /** Upper bound for one component's stop; past it the next component is stopped. */
  stopTimeoutMs?: number;
  /** Told about components that fail or time out while stopping. */
  onStopError?: (name: string, error: Error) => void;
  /** Logs each component's start and stop with its duration. */
  logger?: Logger;
}

function isLogger(x: LifecycleOptions | Logger): x is Logger {
  return typeof (x as Logger).child === 'function';
}

type State = 'idle' | 'starting' | 'started' | 'stopping' | 'stopped';

/**
 * Ordered start/stop of a process's components. `stop()` is idempotent: every call returns
 * the same promise. Only components whose start completed are stopped. A failing start
 * stops the ones already started, then rethrows.
 */
export class Lifecycle {
  readonly #components: { name: string; component: Component }[] = [];
  readonly #started: { name: string; component: Component }[] = [];
  readonly #stopTimeoutMs: number;
  readonly #onStopError: (name: string, error: Error) => void;
  readonly #logger: Logger | undefined;
  readonly #onStopped: (() => void)[] = [];
  #state: State = 'idle';
  #stopping: Promise<void> | undefined;

  /** Takes options, or just a logger (`new Lifecycle(logger)`). */
  constructor(options: LifecycleOptions | Logger = {}) {
    const opts: LifecycleOptions = isLogger(options) ? { logger: options } : options;
    this.#logger = opts.logger;
    this.#stopTimeoutMs = opts.stopTimeoutMs ?? 10_000;
    this.#onStopError =
      opts.onStopError ??
      ((name, error) => this.#logger?.error({ err: error, component: name }, 'component failed to stop'));
  }

  /** Calls fn once every started component has been stopped (at once if that already happened). */
  onStopped(fn: () => void): void {
    if (this.#state === 'stopped') fn();
    else this.#onStopped.push(fn);
  }

  get state(): State {
    return this.#state;
  }

  add(name: string, component: Component): this {
    if (this.#state !== 'idle') throw new Error(`cannot add ${name}: lifecycle is ${this.#state}`);
    this.#components.push({ name, component });
    return this;
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new Error(`cannot start: lifecycle is ${this.#state}`);
    this.#state = 'starting';
    for (const entry of this.#components) {
      if (this.#stopping) break;
      try {
        const t0 = performance.now();
        await entry.component.start?.();
        this.#logger?.debug({ component: entry.name, duration_ms: ms(t0) }, 'component started');
      } catch (error) {
        await this.stop();
        throw new Error(`component ${entry.name} failed to start`, { cause: error });
      }
      this.#started.push(entry);
    }
    if (this.#state === 'starting') this.#state = 'started';
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stopAll();
    return this.#stopping;
  }

  async #stopAll(): Promise<void> {
    this.#state = 'stopping';
    for (const { name, component } of [...this.#started].reverse()) {
      try {
        const t0 = performance.now();
        await withTimeout(Promise.resolve().then(component.stop), this.#stopTimeoutMs, name);
        this.#logger?.info({ component: name, duration_ms: ms(t0) }, 'component stopped');
      } catch (error) {
        this.#onStopError(name, error instanceof Error ? error : new Error(String(error)));
      }
    }
    this.#started.length = 0;
    this.#state = 'stopped';
    for (const fn of this.#onStopped.splice(0)) fn();
  }
}

const ms = (t0: number) => Math.round((performance.now() - t0) * 100) / 100;

function withTimeout(p: Promise<void>, ms: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`stopping ${name} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
