import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

/** The Fastify instance type every route module receives: TypeBox-typed schemas. */
export type App = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The node the request's probe key is bound to (push only). */
    nodeId: string;
  }
  interface FastifyInstance {
    /** Readiness false from now on (/readyz answers 503): first step of a graceful shutdown. */
    markNotReady(): void;
    isReady(): boolean;
  }
}
