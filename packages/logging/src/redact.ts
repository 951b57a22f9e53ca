/**
 * Paths whose values never reach a log line. pino's fast-redact handles the paths; URL
 * passwords inside free strings are masked by `maskUrlPasswords`, applied by the serializers.
 */
export const REDACT_PATHS: readonly string[] = [
  'authorization',
  'password',
  'token',
  'key',
  'secret',
  'apiKey',
  'api_key',
  'apiKeySecret',
  'adminToken',
  '*.authorization',
  '*.password',
  '*.token',
  '*.key',
  '*.secret',
  '*.apiKey',
  '*.api_key',
  '*.apiKeySecret',
  '*.adminToken',
  '*.cookie',
  '*["x-api-key"]',
  '*["set-cookie"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
];

export const REDACTED = '[REDACTED]';

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s@/]+)@/gi;

/** `postgres://user:secret@host/db` → `postgres://user:[REDACTED]@host/db`. */
export function maskUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, `$1:${REDACTED}@`);
}
