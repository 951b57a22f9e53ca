import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function securityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  const docs = request.url === '/docs' || request.url.startsWith('/docs/');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('cross-origin-resource-policy', 'same-origin');
  reply.header('permissions-policy', 'geolocation=(), camera=(), microphone=()');
  reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
  reply.header('content-security-policy', docs ? DOCS_CSP : API_CSP);
}

/**
 * Security headers on every response; the served docs get a CSP that lets Swagger UI run. Set
 * on request too, so hijacked responses (the /api/live event stream) carry them; onSend sets
 * them again for answers produced before onRequest ran (unparsable requests).
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  // Callback hooks: no promise per request on the push path.
  app.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request, reply);
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (!reply.hasHeader('content-security-policy')) securityHeaders(request, reply);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
}

/**
 * CORS from CORS_ORIGINS on read and admin routes; never on /api/push (probes are not
 * browsers). No origins configured → no CORS headers at all.
 */
export async function registerCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  // Nothing to allow: no hook at all. @fastify/cors resolves a delegator's options afresh on
  // every request, 3 % of an API's CPU at 2,000 pushes/s in a profile, to answer "no CORS".
  // Preflights then meet the same 404 as when the plugin refused them.
  if (origins.length === 0) return;
  const allowed = origins.includes('*') ? true : [...origins];
  await app.register(cors, {
    delegator: (request, callback) => {
      const path = (request.url ?? '').split('?')[0];
      const push = path === '/api/push' || path?.startsWith('/api/push/');
      callback(null, {
        origin: push ? false : allowed,
        methods: ['GET', 'POST', 'DELETE'],
        allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
        exposedHeaders: ['x-request-id', 'retry-after'],
        maxAge: 600,
      });
    },
  });
}
