import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts';

let echo: Server;
let echoPort: number;
let proxy: FaultProxy;
const clients: Socket[] = [];

beforeAll(async () => {
  echo = createServer((socket) => {
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  const address = echo.address();
  echoPort = typeof address === 'object' && address ? address.port : 0;
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await proxy?.close();
});
afterAll(async () => {
  await new Promise((r) => echo.close(r));
});

async function client(): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port: proxy.port });
  clients.push(socket);
  await once(socket, 'connect');
  return socket;
}

/** Sends text and resolves with the ms until the echo is back, or null after waitMs. */
function roundTrip(socket: Socket, text: string, waitMs = 2_000): Promise<number | null> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let got = '';
    const onData = (data: Buffer) => {
      got += data.toString();
      if (got.length >= text.length) finish(performance.now() - t0);
    };
    const timer = setTimeout(() => finish(null), waitMs);
    function finish(ms: number | null) {
      clearTimeout(timer);
      socket.off('data', onData);
      resolve(ms);
    }
    socket.on('data', onData);
    socket.write(text);
  });
}

describe('fault proxy', () => {
  it('forwards bytes unchanged', async () => {
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: echoPort } });
    const socket = await client();
    expect(await roundTrip(socket, 'hello')).toBeLessThan(100);
    expect(proxy.connections).toBe(1);
  });

  it('adds at least the configured latency each way', async () => {
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: echoPort } });
    const socket = await client();
    proxy.setLatency(100, 20);
    const ms = await roundTrip(socket, 'slow');
    expect(ms).not.toBeNull();
    expect(ms).toBeGreaterThanOrEqual(2 * 80 - 5); // both directions, jitter −20 at most
    proxy.setLatency(0);
    expect(await roundTrip(socket, 'fast')).toBeLessThan(50);
  });

  it('lets no byte through while blackholed and delivers them once it ends', async () => {
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: echoPort } });
    const socket = await client();
    proxy.blackhole(true);
    const late = roundTrip(socket, 'held', 3_000);
    const stillNothing = await roundTrip(socket, '', 300); // just waits
    expect(stillNothing).toBeNull();
    proxy.blackhole(false);
    expect(await late).toBeGreaterThanOrEqual(300);
  });

  it('resets open and new connections while resetPeer is on', async () => {
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: echoPort } });
    const socket = await client();
    const closed = new Promise<Error | undefined>((resolve) => socket.once('error', resolve));
    proxy.resetPeer(true);
    expect((await closed) as NodeJS.ErrnoException).toMatchObject({ code: 'ECONNRESET' });
    const next = connect({ host: '127.0.0.1', port: proxy.port });
    clients.push(next);
    const [error] = (await once(next, 'error').catch((e: unknown) => [e])) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNRESET');
    proxy.resetPeer(false);
    expect(await roundTrip(await client(), 'back')).toBeLessThan(100);
  });
});
