export { withComponent, withNode, withRequest } from './context.ts';
export {
  createLogger,
  LOG_LEVELS,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  logLevelFrom,
} from './logger.ts';
export { maskUrlPasswords, REDACT_PATHS, REDACTED } from './redact.ts';
