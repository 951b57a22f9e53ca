import { randomUUID } from 'node:crypto';
import { type ApiKeyInfo, CreatedKey, CreateKeyBody, KeysResponse, Problem } from '@fiberstack/contracts';
import { insertApiKey, listApiKeys, revokeApiKey } from '@fiberstack/db';
import { Type } from '@sinclair/typebox';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { App } from '../fastify-types.ts';
import { adminAuth } from '../services/admin-auth.ts';
import { generateApiKey, hashApiKey } from '../services/api-keys.ts';
import type { KeyCache } from '../services/key-cache.ts';

const KeyId = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }) });
const auth = { 401: Problem };

/** Admin: create (the secret is shown once), list and revoke per-probe API keys. */
export function keysRoutes(app: App, deps: ApiDeps, keyCache: KeyCache): void {
  const onRequest = adminAuth(deps.adminToken);
  const security = [{ adminToken: [] }];

  app.post(
    '/api/keys',
    {
      onRequest,
      schema: {
        tags: ['admin'],
        summary: 'Create a probe API key bound to one node_id',
        security,
        body: CreateKeyBody,
        response: { 201: CreatedKey, 400: Problem, ...auth },
      },
    },
    async (request, reply) => {
      const { key, prefix } = generateApiKey();
      const row = await insertApiKey(deps.db, {
        id: randomUUID(),
        node_id: request.body.node_id,
        prefix,
        hash: hashApiKey(deps.apiKeySecret, key),
        label: request.body.label ?? null,
      });
      const info: ApiKeyInfo = {
        id: row.id,
        node_id: row.node_id,
        prefix: row.prefix,
        label: row.label,
        created_at: row.created_at.toISOString(),
        revoked_at: row.revoked_at?.toISOString() ?? null,
        last_used_at: row.last_used_at?.toISOString() ?? null,
      };
      request.log.info({ key_id: row.id, node_id: row.node_id }, 'api key created');
      return reply.code(201).send({ ...info, key });
    },
  );

  app.get(
    '/api/keys',
    {
      onRequest,
      schema: {
        tags: ['admin'],
        summary: 'Every API key (no secrets)',
        security,
        response: { 200: KeysResponse, ...auth },
      },
    },
    async () => ({ keys: await listApiKeys(deps.db) }),
  );

  app.delete(
    '/api/keys/:id',
    {
      onRequest,
      schema: {
        tags: ['admin'],
        summary: 'Revoke an API key',
        security,
        params: KeyId,
        response: { 204: Type.Null(), 404: Problem, ...auth },
      },
    },
    async (request, reply) => {
      if (!(await revokeApiKey(deps.db, request.params.id)))
        throw new ApiError('FS_ERR_KEY_NOT_FOUND', 'no active key with this id');
      keyCache.clear(); // effective at once on this replica; others within API_KEY_CACHE_TTL_MS
      request.log.info({ key_id: request.params.id }, 'api key revoked');
      return reply.code(204).send(null);
    },
  );
}
