import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';

/** Counts decoded bytes and aborts the stream once they pass the limit. */
class DecodedLimit extends Transform {
  receivedEncodedLength = 0;
  #decoded = 0;
  readonly #limit: number;

  constructor(limit: number) {
    super();
    this.#limit = limit;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#decoded += chunk.length;
    if (this.#decoded > this.#limit) {
      cb(new ApiError('FS_ERR_REQUEST_TOO_LARGE', 'body larger than 1 MiB after decompression'));
      return;
    }
    cb(null, chunk);
  }
}

/**
 * Accepts `Content-Encoding: gzip` (or identity) and decompresses with a hard limit on the
 * decoded size: decompression stops at the first byte beyond it (gzip bombs → 413). Other
 * encodings → 415. Fastify's own bodyLimit still bounds the encoded bytes.
 */
export function registerBodyDecoding(app: FastifyInstance, limit: number): void {
  app.addHook('preParsing', async (request: FastifyRequest, _reply, payload) => {
    const encoding = String(request.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    if (encoding === 'identity' || encoding === '') return payload;
    if (encoding !== 'gzip' && encoding !== 'x-gzip')
      throw new ApiError('FS_ERR_REQUEST_MEDIA_TYPE', `content-encoding ${encoding} is not supported`);
    const gunzip = createGunzip();
    const limiter = new DecodedLimit(limit);
    const abort = (err: Error) => {
      payload.unpipe(gunzip);
      gunzip.destroy();
      limiter.destroy(
        err instanceof ApiError ? err : new ApiError('FS_ERR_REQUEST_BAD_ENCODING', 'invalid gzip body'),
      );
    };
    payload.on('data', (chunk: Buffer) => {
      limiter.receivedEncodedLength += chunk.length;
    });
    payload.on('error', abort);
    gunzip.on('error', abort);
    limiter.on('error', () => {
      payload.unpipe(gunzip);
      gunzip.destroy();
    });
    payload.pipe(gunzip).pipe(limiter);
    return limiter;
  });
}
