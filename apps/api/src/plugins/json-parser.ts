import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';
import { ApiError } from '../errors.ts';

const FORBIDDEN = /forbidden prototype property/;

/**
 * The only body parser: JSON via secure-json-parse, `__proto__` and `constructor.prototype`
 * refused (400 FS_ERR_REQUEST_PROTO_POISONING), malformed JSON 400. Every other media type,
 * text/plain included, is answered 415 by Fastify.
 */
export function registerJsonParser(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    const text = body as string;
    if (text.length === 0) {
      done(new ApiError('FS_ERR_REQUEST_MALFORMED_JSON', 'body is empty'), undefined);
      return;
    }
    try {
      done(null, sjson.parse(text, { protoAction: 'error', constructorAction: 'error' }));
    } catch (err) {
      const proto = err instanceof Error && FORBIDDEN.test(err.message);
      done(
        proto
          ? new ApiError('FS_ERR_REQUEST_PROTO_POISONING', 'body contains __proto__ or constructor.prototype')
          : new ApiError('FS_ERR_REQUEST_MALFORMED_JSON', 'body is not valid JSON'),
        undefined,
      );
    }
  });
}
