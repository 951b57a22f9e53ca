import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTarget } from './make-target.ts';
import { tcpCheck } from './tcp.check.ts';

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('tcp check', () => {
  it('measures the handshake to a listening port', async () => {
    const r = await tcpCheck.run(makeTarget('tcp', `127.0.0.1:${port}`), AbortSignal.timeout(2000));
    expect(r).toMatchObject({ ok: true, reachable: true, sent: 1 });
    expect(r.rtts[0]).toBeGreaterThan(0);
    expect(r.rtts[0]).toBeLessThan(100);
  });

  it('takes the port from options and resolves localhost through the socket lookup', async () => {
    const r = await tcpCheck.run(
      makeTarget('tcp', 'localhost', { tcp: { port } }),
      AbortSignal.timeout(2000),
    );
    expect(r.ok).toBe(true);
  });

  it('reports a refused port as reachable but down', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const free = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await tcpCheck.run(makeTarget('tcp', `127.0.0.1:${free}`), AbortSignal.timeout(2000));
    expect(r).toMatchObject({ ok: false, reachable: true, error: 'ECONNREFUSED' });
  });

  it('stops at its AbortSignal', async () => {
    const r = await tcpCheck.run(makeTarget('tcp', `127.0.0.1:${port}`), AbortSignal.abort());
    expect(r).toMatchObject({ ok: false, error: 'timeout' });
  });
});
