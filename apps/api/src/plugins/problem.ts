import type { Problem } from '@fiberstack/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ApiError, ErrorCatalogue } from '../errors.ts';

export const PROBLEM_TYPE_BASE = 'https://fiberstack.dev/problems/';

/** Renders an ApiError as application/problem+json; 429/503 get Retry-After. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: ApiError): FastifyReply {
  const { status, title } = ErrorCatalogue[error.code];
  const body: Problem = {
    type: `${PROBLEM_TYPE_BASE}${error.code.toLowerCase().replace(/_/g, '-')}`,
    title,
    status,
    code: error.code,
    detail: status >= 500 && error.code === 'FS_ERR_INTERNAL' ? title : error.message,
    request_id: String(request.id),
  };
  if (error.extras.errors) body.errors = error.extras.errors;
  if (error.extras.rejected) body.rejected = error.extras.rejected;
  const retryAfter = error.extras.retryAfter ?? (status === 429 || status === 503 ? 5 : undefined);
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  return reply.code(status).type('application/problem+json').send(body);
}
