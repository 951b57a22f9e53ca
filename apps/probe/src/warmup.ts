import { lookup } from 'node:dns/promises';
import { createServer, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { makeTarget } from './checks/make-target.ts';
import { detectPinger } from './checks/pinger.ts';
import { checks } from './checks/registry.ts';
import { loadHttps } from './https-lazy.ts';

export interface WarmUpNeeds {
  /** Some target or the API is https: load OpenSSL's root store now, not in the first round. */
  tls: boolean;
}

/**
 * What a config needs warmed: TLS only when an https URL is configured (node:https, tls and
 * OpenSSL's root store: ≈ 1.4 MiB RSS that a plain-http probe does not carry).
 */
export function warmUpNeeds(config: { api_endpoint: string; targets: ReadonlyArray<{ target: string }> }) {
  const https = (url: string) => /^https:/i.test(url);
  return { tls: https(config.api_endpoint) || config.targets.some((t) => https(t.target)) };
}

/** Answers one HTTP/1.1 request on a raw socket (no http server module to load). */
function answer(socket: Socket): void {
  let head = '';
  socket.setEncoding('latin1');
  socket.on('error', () => undefined);
  socket.on('data', (chunk: string) => {
    head += chunk;
    if (!head.includes('\r\n\r\n')) return;
    socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
  });
}

/**
 * Exercises every code path a check uses (http client and socket events, tcp connect,
 * getaddrinfo, gzip, and TLS when needed) against a throwaway loopback server before the
 * first real round, so the first measurement of a fresh process reads like the tenth.
 */
export async function warmUp(needs: WarmUpNeeds = { tls: true }): Promise<void> {
  detectPinger();
  if (needs.tls) {
    await loadHttps();
    (await import('node:tls')).createSecureContext();
  }
  gzipSync(Buffer.from('{}'));
  await lookup('localhost').catch(() => undefined);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    answer(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const signal = AbortSignal.timeout(5000);
    for (let i = 0; i < 3; i++) {
      await checks.http.run(makeTarget('http', `http://127.0.0.1:${port}/`), signal);
      await checks.http.run(makeTarget('http', `http://localhost:${port}/`), signal);
      await checks.tcp.run(makeTarget('tcp', `127.0.0.1:${port}`), signal);
    }
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
