/**
 * The catalogue of coded errors: FS_ERR_<AREA>_<WHAT> → HTTP status and title. The error
 * handler maps every failure to one of these as application/problem+json.
 */
export const ErrorCatalogue = {
  FS_ERR_REQUEST_MALFORMED_JSON: { status: 400, title: 'Malformed JSON body' },
  FS_ERR_REQUEST_PROTO_POISONING: { status: 400, title: 'Forbidden prototype property in body' },
  FS_ERR_REQUEST_VALIDATION: { status: 400, title: 'Request does not match the schema' },
  FS_ERR_REQUEST_BAD: { status: 400, title: 'Bad request' },
  FS_ERR_REQUEST_BAD_ENCODING: { status: 400, title: 'Body cannot be decoded' },
  FS_ERR_PUSH_INVALID_SAMPLE: { status: 400, title: 'Sample does not match the schema' },
  FS_ERR_PUSH_OUT_OF_RANGE: { status: 422, title: 'Sample value out of range' },
  FS_ERR_PUSH_TIMESTAMP_FUTURE: { status: 422, title: 'Sample timestamp too far in the future' },
  FS_ERR_PUSH_TIMESTAMP_TOO_OLD: { status: 422, title: 'Sample timestamp older than the backfill window' },
  FS_ERR_PUSH_NO_VALID_SAMPLE: { status: 422, title: 'No valid sample in the batch' },
  FS_ERR_METRICS_RANGE: { status: 400, title: 'Invalid time range' },
  FS_ERR_AUTH_MISSING: { status: 401, title: 'Missing credentials' },
  FS_ERR_AUTH_INVALID_KEY: { status: 401, title: 'Invalid API key' },
  FS_ERR_AUTH_REVOKED_KEY: { status: 401, title: 'Invalid API key' },
  FS_ERR_AUTH_ADMIN: { status: 401, title: 'Invalid admin token' },
  FS_ERR_AUTH_NODE_MISMATCH: { status: 403, title: 'API key is bound to another node' },
  FS_ERR_NOT_FOUND: { status: 404, title: 'Not found' },
  FS_ERR_KEY_NOT_FOUND: { status: 404, title: 'API key not found' },
  FS_ERR_METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  FS_ERR_REQUEST_TOO_LARGE: { status: 413, title: 'Body larger than 1 MiB' },
  FS_ERR_REQUEST_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  FS_ERR_RATE_LIMITED: { status: 429, title: 'Too many requests' },
  FS_ERR_INTERNAL: { status: 500, title: 'Internal error' },
  FS_ERR_QUEUE_UNAVAILABLE: { status: 503, title: 'Queue unavailable' },
  FS_ERR_DB_UNAVAILABLE: { status: 503, title: 'Database unavailable' },
  FS_ERR_QUERY_TIMEOUT: { status: 503, title: 'Query took longer than the statement timeout' },
  FS_ERR_SHUTTING_DOWN: { status: 503, title: 'Shutting down' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ErrorCatalogue;

export interface ProblemExtras {
  errors?: { path: string; message: string }[];
  rejected?: { index: number; code: string; message: string }[];
  /** Seconds, sent as Retry-After (429 and 503). */
  retryAfter?: number;
}

/** A coded error thrown anywhere in the API and rendered by the error handler. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly extras: ProblemExtras;

  constructor(code: ErrorCode, detail?: string, extras: ProblemExtras = {}, options?: ErrorOptions) {
    super(detail ?? ErrorCatalogue[code].title, options);
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = ErrorCatalogue[code].status;
    this.extras = extras;
  }
}
