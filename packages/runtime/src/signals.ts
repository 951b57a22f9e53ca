import type { Logger } from '@fiberstack/logging';
import type { Lifecycle } from './lifecycle.ts';

export interface SignalOptions {
  signals?: readonly NodeJS.Signals[];
  /** Injected for tests; `process.exit` by default. */
  exit?: (code: number) => void;
  /** Process-like emitter; `process` by default. */
  target?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/**
 * First SIGTERM/SIGINT: graceful stop, then exit 0 (1 when stopping failed). A second
 * signal while stopping: exit 1 at once. Returns a function that removes the handlers.
 */
export function installSignalHandlers(
  lifecycle: Lifecycle,
  logger: Logger,
  options: SignalOptions = {},
): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const target = options.target ?? process;
  let received = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      logger.warn({ signal }, 'second signal, exiting now');
      exit(1);
      return;
    }
    received = true;
    logger.info({ signal }, 'shutting down');
    lifecycle.stop().then(
      () => {
        logger.info('shutdown complete');
        logger.flush?.();
        exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };

  for (const s of signals) target.on(s, onSignal);
  return () => {
    for (const s of signals) target.off(s, onSignal);
  };
}
