import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

export interface AckLossProxy {
  port: number;
  url: string;
  /** Acknowledgements destroyed so far (the client got a reset instead of the 2xx). */
  readonly dropped: number;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of an HTTP server that loses acknowledgements: when a response whose
 * status line starts with `HTTP/1.1 <status>` comes back, with the given probability its bytes
 * are dropped and both connections are reset (RST) — the server produced the answer, the
 * client never sees it (reliability test R14).
 */
export async function startAckLossProxy(options: {
  target: { host: string; port: number };
  probability: number;
  status?: number;
}): Promise<AckLossProxy> {
  const marker = `HTTP/1.1 ${options.status ?? 202}`;
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(options.target);
    sockets.add(client);
    sockets.add(upstream);
    const teardown = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', teardown);
    upstream.on('error', teardown);
    client.on('close', teardown);
    upstream.on('close', teardown);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (
        chunk.subarray(0, marker.length).toString('latin1') === marker &&
        Math.random() < options.probability
      ) {
        dropped++;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    upstream.on('end', () => client.end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get dropped() {
      return dropped;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
