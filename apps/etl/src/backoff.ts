/** Capped exponential backoff with full jitter in [delay/2, delay]: 250 ms, 500 ms, … 30 s. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random = Math.random): number {
  const exp = Math.min(maxMs, minMs * 2 ** Math.max(0, Math.min(30, attempt - 1)));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** Resolves after ms, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
