import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** X-Request-Id from the caller when well-formed, a fresh UUID otherwise. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/** Echoes X-Request-Id and writes one summary line per request. */
export function registerRequestLog(app: FastifyInstance): void {
  const logsInfo = ['info', 'debug', 'trace'].includes(app.log.level);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    // At LOG_LEVEL=warn (production), a 2xx writes nothing: not even the line is built.
    if (status < 400 && !logsInfo) return done();
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status,
      duration_ms: Math.round(reply.elapsedTime * 100) / 100,
      ...(request.nodeId ? { node_id: request.nodeId } : {}),
    };
    if (status >= 500) request.log.error(line, 'request');
    else if (status >= 400) request.log.warn(line, 'request');
    else request.log.info(line, 'request');
    done();
  });
}
