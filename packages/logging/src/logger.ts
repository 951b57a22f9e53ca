import type { DestinationStream, Level, Logger as PinoLogger } from 'pino';
import { pino, stdSerializers, stdTimeFunctions } from 'pino';
import { maskUrlPasswords, REDACT_PATHS, REDACTED } from './redact.ts';

export type Logger = PinoLogger;
export type LogLevel = Level | 'silent';

export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** LOG_LEVEL's value (default info), or undefined when it names no level. */
export function logLevelFrom(value: string | undefined): LogLevel | undefined {
  const level = (value || 'info') as LogLevel;
  return LOG_LEVELS.includes(level) ? level : undefined;
}

export interface LoggerOptions {
  service: string;
  version?: string;
  level?: LogLevel;
  /** Where JSON lines go; stdout when omitted. */
  destination?: DestinationStream;
}

function errorSerializer(err: unknown): unknown {
  const out = stdSerializers.err(err as Error);
  if (out && typeof out.message === 'string') out.message = maskUrlPasswords(out.message);
  if (out && typeof out.stack === 'string') out.stack = maskUrlPasswords(out.stack);
  return out;
}

/** Masks URL passwords in string fields, two levels deep (e.g. `{ db: { url } }`). */
function maskFields(obj: Record<string, unknown>, depth = 0): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(obj)) {
    let next = v;
    if (typeof v === 'string') next = maskUrlPasswords(v);
    else if (depth < 1 && v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Error))
      next = maskFields(v as Record<string, unknown>, depth + 1);
    if (next !== v) {
      out ??= { ...obj };
      out[k] = next;
    }
  }
  return out ?? obj;
}

/**
 * One structured JSON logger for every FiberStack process: base fields service and version,
 * ISO time, secrets redacted, URL passwords masked in messages and errors. Pretty output
 * only when stdout is a terminal and pino-pretty is installed; JSON otherwise.
 */
export function createLogger(options: LoggerOptions): Logger {
  const config = {
    level: options.level ?? 'info',
    base: { service: options.service, version: options.version ?? '0.0.0' },
    timestamp: stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    serializers: { err: errorSerializer, error: errorSerializer },
    hooks: {
      logMethod(this: PinoLogger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? maskUrlPasswords(a) : a)),
        );
      },
    },
    formatters: { level: (label: string) => ({ level: label }), log: maskFields },
  };
  if (options.destination) return pino(config, options.destination);
  if (process.stdout.isTTY && prettyAvailable()) {
    return pino({ ...config, transport: { target: 'pino-pretty' } });
  }
  return pino(config);
}

function prettyAvailable(): boolean {
  try {
    import.meta.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
