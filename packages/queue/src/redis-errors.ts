/**
 * Errors the Redis Streams queue throws from `append` so the API can answer without guessing:
 * both map to 503 + Retry-After (the probe keeps the batch buffered and retries).
 */

/** The stream holds at least `highWaterMark` entries: back-pressure instead of growing further. */
export class QueueFullError extends Error {
  readonly code = 'FS_ERR_QUEUE_FULL';
  /** Suggested Retry-After, seconds. */
  readonly retryAfterS: number;
  readonly depth: number;
  readonly highWaterMark: number;

  constructor(depth: number, highWaterMark: number, retryAfterS = 5) {
    super(`queue is full: ${depth} entries >= high-water mark ${highWaterMark}`);
    this.name = 'QueueFullError';
    this.depth = depth;
    this.highWaterMark = highWaterMark;
    this.retryAfterS = retryAfterS;
  }
}

/** Redis did not answer (down, unreachable, timed out, or refused the write). */
export class QueueUnavailableError extends Error {
  readonly code = 'FS_ERR_QUEUE_UNAVAILABLE';
  /** Suggested Retry-After, seconds. */
  readonly retryAfterS: number;

  constructor(operation: string, cause?: unknown, retryAfterS = 5) {
    const reason = cause instanceof Error ? cause.message : String(cause ?? 'not connected');
    super(`queue unavailable during ${operation}: ${reason}`, { cause });
    this.name = 'QueueUnavailableError';
    this.retryAfterS = retryAfterS;
  }
}

/** Wraps any failure that is not already one of ours. */
export function toQueueError(operation: string, error: unknown): Error {
  if (error instanceof QueueFullError || error instanceof QueueUnavailableError) return error;
  return new QueueUnavailableError(operation, error);
}
