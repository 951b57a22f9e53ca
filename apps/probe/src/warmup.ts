import { lookup } from 'node:dns/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { makeTarget } from './checks/make-target.ts';
import { detectPinger } from './checks/pinger.ts';
import { checks } from './checks/registry.ts';

/**
 * Exercises every code path a check uses (http client and socket events, tcp connect,
 * getaddrinfo, TLS context, gzip) against a throwaway loopback server before the first
 * real round, so the first measurement of a fresh process reads like the tenth.
 */
export async function warmUp(): Promise<void> {
  detectPinger();
  createSecureContext();
  gzipSync(Buffer.from('{}'));
  await lookup('localhost').catch(() => undefined);
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const signal = AbortSignal.timeout(5000);
    for (let i = 0; i < 3; i++) {
      await checks.http.run(makeTarget('http', `http://127.0.0.1:${port}/`), signal);
      await checks.http.run(makeTarget('http', `http://localhost:${port}/`), signal);
      await checks.tcp.run(makeTarget('tcp', `127.0.0.1:${port}`), signal);
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
