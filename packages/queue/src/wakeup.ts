/**
 * In-process wake-ups for blocked readers: an append through any queue instance sharing the
 * same database object wakes the readers waiting on it, so the ETL does not wait for its
 * next poll when the API runs in the same process.
 */
const waiters = new WeakMap<object, Set<() => void>>();

export function notifyAppend(key: object): void {
  const set = waiters.get(key);
  if (!set) return;
  for (const wake of [...set]) wake();
}

/** Resolves after `ms`, or earlier when `notifyAppend(key)` or `signal` fires. */
export function waitForAppend(key: object, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let set = waiters.get(key);
    if (!set) {
      set = new Set();
      waiters.set(key, set);
    }
    const own = set;
    const done = (): void => {
      clearTimeout(timer);
      own.delete(done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    own.add(done);
    if (signal.aborted) done();
    else signal.addEventListener('abort', done, { once: true });
  });
}
