import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface Received {
  at: number;
  /** What the receiver answered (0 for a reset). */
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export type Reply = { status: number; headers?: Record<string, string> } | 'reset';

/**
 * A test double of the push API on 127.0.0.1: records every request (gunzipped body) and
 * answers with `reply(n)` for the n-th request (0-based).
 */
export async function startReceiver(reply: (n: number) => Reply): Promise<{
  url: string;
  received: Received[];
  close: () => Promise<void>;
}> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString();
      const r = reply(received.length);
      received.push({
        at: performance.now(),
        status: r === 'reset' ? 0 : r.status,
        headers: req.headers,
        body: JSON.parse(text),
      });
      if (r === 'reset') {
        req.socket.destroy();
        return;
      }
      const ok = r.status >= 200 && r.status < 300;
      const body = ok
        ? {
            status: 'accepted',
            queued: true,
            message_id: '00000000-0000-4000-8000-000000000000',
            accepted: 1,
            rejected: [],
          }
        : { type: 'about:blank', title: 'nope', status: r.status };
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/api/push`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
