export { withComponent, withNode, withRequest } from './context.ts';
export { createLogger, type Logger, type LoggerOptions, type LogLevel } from './logger.ts';
export { maskUrlPasswords, REDACT_PATHS, REDACTED } from './redact.ts';
