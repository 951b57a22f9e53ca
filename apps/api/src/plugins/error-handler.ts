import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError, type ErrorCode } from '../errors.ts';
import { sendProblem } from './problem.ts';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'FS_ERR_REQUEST_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'FS_ERR_REQUEST_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'FS_ERR_REQUEST_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'FS_ERR_REQUEST_MALFORMED_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'FS_ERR_REQUEST_BAD',
  FST_ERR_CTP_INVALID_JSON_BODY: 'FS_ERR_REQUEST_MALFORMED_JSON',
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'FS_ERR_REQUEST_BAD',
  401: 'FS_ERR_AUTH_MISSING',
  404: 'FS_ERR_NOT_FOUND',
  405: 'FS_ERR_METHOD_NOT_ALLOWED',
  413: 'FS_ERR_REQUEST_TOO_LARGE',
  415: 'FS_ERR_REQUEST_MEDIA_TYPE',
  429: 'FS_ERR_RATE_LIMITED',
};

/** PostgreSQL (SQLSTATE) and socket errors of a read: a timeout or an unreachable database. */
function databaseError(code: string | undefined): ((cause: Error) => ApiError) | undefined {
  if (code === '57014')
    return (cause) =>
      new ApiError(
        'FS_ERR_QUERY_TIMEOUT',
        'the query was cancelled by the statement timeout: narrow the time range or use hourly or daily aggregation',
        {},
        { cause },
      );
  if (code && (/^(08|57P)/.test(code) || code === 'ECONNREFUSED' || code === 'ECONNRESET'))
    return (cause) => new ApiError('FS_ERR_DB_UNAVAILABLE', undefined, { retryAfter: 5 }, { cause });
  return undefined;
}

/** Maps any thrown error to a coded ApiError; unknown errors become a 500 that hides internals. */
export function toApiError(error: FastifyError | Error): ApiError {
  if (error instanceof ApiError) return error;
  const fe = error as FastifyError;
  if (fe.validation) {
    const errors = fe.validation.slice(0, 10).map((v) => ({
      path: v.instancePath || String(fe.validationContext ?? ''),
      message: v.message ?? 'invalid',
    }));
    return new ApiError('FS_ERR_REQUEST_VALIDATION', `${fe.validationContext ?? 'request'} is invalid`, {
      errors,
    });
  }
  const database = databaseError(fe.code);
  if (database) return database(error);
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return new ApiError(mapped, undefined, {}, { cause: error });
  const status = fe.statusCode ?? 500;
  if (status === 400 && error instanceof SyntaxError) {
    const proto = /prototype property|__proto__|constructor/i.test(error.message);
    return proto
      ? new ApiError('FS_ERR_REQUEST_PROTO_POISONING', undefined, {}, { cause: error })
      : new ApiError('FS_ERR_REQUEST_MALFORMED_JSON', 'body is not valid JSON', {}, { cause: error });
  }
  const code = STATUS_CODES[status];
  if (code) return new ApiError(code, undefined, {}, { cause: error });
  if (status >= 400 && status < 500)
    return new ApiError('FS_ERR_REQUEST_BAD', undefined, {}, { cause: error });
  return new ApiError('FS_ERR_INTERNAL', undefined, {}, { cause: error });
}

/** One handler for every failure, plus the 404 handler: always application/problem+json. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const apiError = toApiError(error);
    if (apiError.statusCode >= 500) request.log.error({ err: error, code: apiError.code }, 'request failed');
    return sendProblem(request, reply, apiError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      new ApiError('FS_ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}
