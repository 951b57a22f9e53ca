import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';
import { adminTokenMatches } from './api-keys.ts';

/** onRequest hook for admin routes: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. */
export function adminAuth(adminToken: string) {
  return async function authenticateAdmin(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (!header) throw new ApiError('FS_ERR_AUTH_MISSING', 'Authorization: Bearer <admin token> is required');
    if (!adminTokenMatches(adminToken, header)) throw new ApiError('FS_ERR_AUTH_ADMIN');
  };
}
