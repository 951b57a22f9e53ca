import { type ApiKeyRow, touchApiKey } from '@fiberstack/db';
import type { FastifyRequest } from 'fastify';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { hashApiKey, hashesEqual, parseBearerKey } from './api-keys.ts';
import type { KeyCache } from './key-cache.ts';

/** Compared against when the prefix is unknown, so both paths cost one HMAC and one compare. */
const DUMMY_HASH = '0'.repeat(64);
/** last_used_at is written at most this often per key. */
const TOUCH_EVERY_MS = 60_000;

/**
 * onRequest hook for /api/push: `Authorization: Bearer fsk_<prefix>_<secret>` → the key's
 * node_id on `request.nodeId`. Missing, malformed, unknown, wrong and revoked keys → 401
 * (before the body is read).
 */
export function probeAuth(deps: Pick<ApiDeps, 'db' | 'apiKeySecret'>, keys: KeyCache) {
  return async function authenticateProbe(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (!header) throw new ApiError('FS_ERR_AUTH_MISSING', 'Authorization: Bearer <probe key> is required');
    const parsed = parseBearerKey(header);
    if (!parsed) throw new ApiError('FS_ERR_AUTH_INVALID_KEY', 'malformed API key');
    let row: ApiKeyRow | null;
    let stale = false;
    try {
      ({ row, stale } = await keys.lookup(parsed.prefix));
    } catch (err) {
      throw new ApiError(
        'FS_ERR_DB_UNAVAILABLE',
        'cannot check the API key now',
        { retryAfter: 5 },
        { cause: err },
      );
    }
    const matches = hashesEqual(hashApiKey(deps.apiKeySecret, parsed.key), row?.hash ?? DUMMY_HASH);
    if (!row || !matches) throw new ApiError('FS_ERR_AUTH_INVALID_KEY', 'unknown API key');
    if (row.revoked_at !== null) throw new ApiError('FS_ERR_AUTH_REVOKED_KEY', 'API key has been revoked');
    request.nodeId = row.node_id;
    const lastUsed = row.last_used_at?.getTime() ?? 0;
    if (!stale && Date.now() - lastUsed > TOUCH_EVERY_MS) {
      row.last_used_at = new Date();
      touchApiKey(deps.db, row.id).catch((err: unknown) =>
        request.log.warn({ err }, 'could not record key use'),
      );
    }
  };
}
