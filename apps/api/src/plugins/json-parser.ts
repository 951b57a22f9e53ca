import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';
import { ApiError } from '../errors.ts';

const FORBIDDEN = /forbidden prototype property/;
/** Strict UTF-8: a body with invalid byte sequences is refused, never repaired with U+FFFD. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** A charset parameter other than UTF-8 (JSON is UTF-8, RFC 8259 §8.1). */
const FOREIGN_CHARSET = /;\s*charset\s*=\s*(?!"?utf-?8"?\s*(?:;|$))/i;

/**
 * The only body parser: JSON via secure-json-parse, `__proto__` and `constructor.prototype`
 * refused (400 FS_ERR_REQUEST_PROTO_POISONING), malformed JSON or invalid UTF-8 400, a charset other than UTF-8 415.
 * Every other media type, text/plain included, is answered 415 by Fastify.
 */
export function registerJsonParser(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    if (FOREIGN_CHARSET.test(String(request.headers['content-type']))) {
      done(new ApiError('FS_ERR_REQUEST_MEDIA_TYPE', 'JSON bodies must be UTF-8'), undefined);
      return;
    }
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(new ApiError('FS_ERR_REQUEST_MALFORMED_JSON', 'body is not valid UTF-8'), undefined);
      return;
    }
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
