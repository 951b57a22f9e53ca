import type { ServerResponse } from 'node:http';
import type { LiveUpdate } from '@fiberstack/contracts';
import { readWatermark, type Watermark } from '@fiberstack/db';
import type { ApiDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { App } from '../fastify-types.ts';

export interface LiveOptions {
  /** How often the database is polled while clients are connected; default 1000 ms. */
  pollMs?: number;
  /** Comment line sent to every client so proxies keep the stream open; default 15 s. */
  heartbeatMs?: number;
  /** Most concurrent streams; more are answered 503. Default 500. */
  maxClients?: number;
}

/**
 * GET /api/live: Server-Sent Events. While at least one client listens, one shared poller reads
 * the nodes' last_seen_at and the newest event id (two cheap queries) every pollMs and sends
 * `event: update` (a LiveUpdate) to every client when something moved: at most one per poll.
 * Streams end when the server closes (preClose), so app.close() never waits on them.
 */
export function liveRoute(app: App, deps: ApiDeps, opts: LiveOptions = {}): void {
  const pollMs = opts.pollMs ?? 1000;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const maxClients = opts.maxClients ?? 500;
  const clients = new Set<ServerResponse>();
  const log = app.log.child({ component: 'live' });
  let last: Watermark | null = null;
  let pollTimer: NodeJS.Timeout | null = null;
  let beatTimer: NodeJS.Timeout | null = null;
  let closing = false;

  const read = () => readWatermark(deps.db);

  function broadcast(event: string, data: LiveUpdate): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of clients) res.write(frame);
  }

  function toUpdate(w: Watermark, changed: string[]): LiveUpdate {
    const newest = Math.max(-Infinity, ...w.nodes.values());
    return {
      seen_at: Number.isFinite(newest) ? new Date(newest).toISOString() : null,
      nodes: changed,
      event_id: w.eventId,
    };
  }

  async function poll(): Promise<void> {
    pollTimer = null;
    try {
      const now = await read();
      const prev = last;
      last = now;
      if (prev) {
        const changed = [...now.nodes].filter(([id, t]) => prev.nodes.get(id) !== t).map(([id]) => id);
        if (changed.length > 0 || now.eventId !== prev.eventId) broadcast('update', toUpdate(now, changed));
      }
    } catch (err) {
      log.warn({ err }, 'live poll failed');
    }
    schedule();
  }

  function schedule(): void {
    if (closing || clients.size === 0 || pollTimer) return;
    pollTimer = setTimeout(() => void poll(), pollMs);
  }

  function stopTimersIfIdle(): void {
    if (clients.size > 0) return;
    if (pollTimer) clearTimeout(pollTimer);
    if (beatTimer) clearInterval(beatTimer);
    pollTimer = null;
    beatTimer = null;
    last = null;
  }

  app.addHook('preClose', async () => {
    closing = true;
    for (const res of clients) res.end();
    clients.clear();
    stopTimersIfIdle();
  });

  app.get(
    '/api/live',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Server-Sent Events: `update` when samples or events arrive (LiveUpdate as data)',
        response: {
          200: {
            description: 'text/event-stream: `hello` once, then `update` events and heartbeats',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (request, reply) => {
      if (closing) throw new ApiError('FS_ERR_SHUTTING_DOWN');
      if (clients.size >= maxClients)
        throw new ApiError('FS_ERR_DB_UNAVAILABLE', 'too many live streams', { retryAfter: 5 });
      const hello = await read().catch((err: unknown) => {
        throw new ApiError('FS_ERR_DB_UNAVAILABLE', undefined, { retryAfter: 5 }, { cause: err });
      });
      if (!last) last = hello;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
        connection: 'keep-alive',
      });
      res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify(toUpdate(hello, []))}\n\n`);
      clients.add(res);
      request.raw.on('close', () => {
        clients.delete(res);
        stopTimersIfIdle();
      });
      beatTimer ??= setInterval(() => {
        for (const c of clients) c.write(': heartbeat\n\n');
      }, heartbeatMs);
      schedule();
    },
  );
}
