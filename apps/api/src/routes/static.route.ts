import { stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import { ApiError } from '../errors.ts';
import type { App } from '../fastify-types.ts';

/** The dashboard's CSP: only its own scripts, styles and API; no inline script, no framing. */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** A request path the dashboard may serve: no traversal, no NUL, no backslash, no dotfiles. */
export function safeAssetPath(path: string): boolean {
  if (path.includes('\0') || path.includes('\\')) return false;
  return path.split('/').every((seg) => seg !== '..' && !(seg.startsWith('.') && seg.length > 0));
}

/**
 * The built dashboard at `/`: hashed files under assets/ cached for a year (immutable), any
 * other existing file revalidated, and every other non-API path answered with index.html so
 * client-side routes survive a reload. /api/* never falls back (404 problem+json).
 */
export async function staticRoutes(app: App, dashboardDir: string): Promise<void> {
  const root = resolve(dashboardDir);
  await app.register(async (child) => {
    await child.register(fastifyStatic, {
      root,
      serve: false,
      index: false,
      wildcard: false,
      cacheControl: false,
      dotfiles: 'deny',
    });

    const send = (reply: FastifyReply, file: string, cache: string) =>
      reply.header('cache-control', cache).sendFile(file);

    child.get(
      '/*',
      {
        schema: { hide: true },
        config: { rateLimit: false },
        onSend: async (_request, reply, payload) => {
          if (reply.statusCode < 400 || !reply.getHeader('content-type')?.toString().includes('json'))
            reply.header('content-security-policy', DASHBOARD_CSP);
          return payload;
        },
      },
      async (request, reply) => {
        const path = (request.params as { '*': string })['*'] ?? '';
        if (path === 'api' || path.startsWith('api/') || !safeAssetPath(path))
          throw new ApiError('FS_ERR_NOT_FOUND');
        const last = path.split('/').pop() ?? '';
        if (last.includes('.')) {
          const full = resolve(root, path);
          if (!full.startsWith(root + sep) || !(await isFile(full))) throw new ApiError('FS_ERR_NOT_FOUND');
          return send(reply, path, path.startsWith('assets/') ? IMMUTABLE : REVALIDATE);
        }
        return send(reply, 'index.html', REVALIDATE);
      },
    );
  });
}
