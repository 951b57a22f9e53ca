import type { Logger } from './logger.ts';

/** A child logger whose every line carries the request id. */
export function withRequest(logger: Logger, request_id: string): Logger {
  return logger.child({ request_id });
}

/** A child logger whose every line carries the probe node id. */
export function withNode(logger: Logger, node_id: string): Logger {
  return logger.child({ node_id });
}

/** A child logger for one component of a process (api, etl, scheduler, …). */
export function withComponent(logger: Logger, component: string): Logger {
  return logger.child({ component });
}
