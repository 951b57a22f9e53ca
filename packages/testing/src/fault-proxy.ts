import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

export interface FaultProxyOptions {
  /** Port to listen on (127.0.0.1); default a free one. */
  listenPort?: number;
  target: { host: string; port: number };
}

export interface FaultProxy {
  port: number;
  /** Delays every chunk, both directions, by ms ± jitterMs (order preserved). 0 turns it off. */
  setLatency(ms: number, jitterMs?: number): void;
  /** While on, every open and new connection is reset (RST) at once. */
  resetPeer(on: boolean): void;
  /** While on, no byte passes (held, as TCP retransmission would); off delivers them late. */
  blackhole(on: boolean): void;
  /** Open client connections. */
  readonly connections: number;
  close(): Promise<void>;
}

interface Direction {
  from: Socket;
  to: Socket;
  held: (Buffer | null)[];
  lastAt: number;
}

/** A small TCP proxy for fault injection in tests (latency, reset, blackhole). */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let latencyMs = 0;
  let jitterMs = 0;
  let blackholed = false;
  let resetting = false;
  const pairs = new Set<[Socket, Socket]>();
  const directions = new Set<Direction>();
  const timers = new Set<NodeJS.Timeout>();

  /** Delivers a chunk (null = end of stream) after the current latency, keeping order. */
  function deliver(dir: Direction, chunk: Buffer | null): void {
    const write = () => (chunk === null ? dir.to.end() : dir.to.write(chunk));
    const jitter = jitterMs > 0 ? (Math.random() * 2 - 1) * jitterMs : 0;
    const at = Math.max(Date.now() + Math.max(0, latencyMs + jitter), dir.lastAt);
    dir.lastAt = at;
    if (at <= Date.now()) {
      if (!dir.to.destroyed) write();
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!dir.to.destroyed) write();
    }, at - Date.now());
    timers.add(timer);
  }

  function pipe(from: Socket, to: Socket): void {
    const dir: Direction = { from, to, held: [], lastAt: 0 };
    directions.add(dir);
    const onChunk = (chunk: Buffer | null) => {
      if (blackholed) {
        dir.held.push(chunk);
        from.pause();
      } else deliver(dir, chunk);
    };
    from.on('data', onChunk);
    from.on('end', () => onChunk(null));
    from.on('close', () => directions.delete(dir));
  }

  function reset(pair: [Socket, Socket]): void {
    pair[0].resetAndDestroy();
    pair[1].resetAndDestroy();
    pairs.delete(pair);
  }

  const server = createServer({ allowHalfOpen: true }, (client) => {
    if (resetting) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: options.target.host, port: options.target.port, allowHalfOpen: true });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const teardown = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('error', teardown);
    upstream.on('error', teardown);
    client.on('close', teardown);
    upstream.on('close', teardown);
    pipe(client, upstream);
    pipe(upstream, client);
  });
  server.listen(options.listenPort ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    port,
    setLatency(ms, jitter = 0) {
      latencyMs = Math.max(0, ms);
      jitterMs = Math.max(0, jitter);
    },
    resetPeer(on) {
      resetting = on;
      if (on) for (const pair of [...pairs]) reset(pair);
    },
    blackhole(on) {
      blackholed = on;
      if (on) return;
      for (const dir of directions) {
        for (const chunk of dir.held.splice(0)) deliver(dir, chunk);
        dir.from.resume();
      }
    },
    get connections() {
      return pairs.size;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const [a, b] of [...pairs]) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
