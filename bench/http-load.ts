import { Agent, request } from 'node:http';

/** A keep-alive HTTP client for load generation: less per-request work than fetch. */
export interface PushClient {
  /** Resolves with the status (0 on a connection error) and the answer time in ms. */
  push(key: string, body: string): Promise<{ status: number; ms: number }>;
  close(): void;
}

/**
 * A keep-alive HTTP client for timing reads: the answer time runs until the last byte of the body
 * arrived (read and dropped). fetch (undici, web streams) added up to 8 ms at p95 to a 550 KB
 * answer on the 2-core reference machine, measured against a static server: the instrument's
 * own cost, not the API's.
 */
export interface GetClient {
  /** Resolves with the status (0 on a connection error) and the answer time in ms. */
  get(path: string): Promise<{ status: number; ms: number }>;
  close(): void;
}

type Send = (
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string | number>,
  body?: string,
) => Promise<{ status: number; ms: number }>;

function keepAliveSender(baseUrl: string, maxSockets: number): { send: Send; agent: Agent } {
  const base = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets });
  const send: Send = (method, path, headers, body) => {
    const started = performance.now();
    return new Promise((resolve) => {
      const req = request({ agent, host: base.hostname, port: base.port, path, method, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      });
      req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
      req.end(body);
    });
  };
  return { send, agent };
}

export function createPushClient(baseUrl: string, maxSockets: number): PushClient {
  const { send, agent } = keepAliveSender(baseUrl, maxSockets);
  return {
    push: (key, body) =>
      send(
        'POST',
        '/api/push',
        {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        body,
      ),
    close: () => agent.destroy(),
  };
}

export function createGetClient(baseUrl: string): GetClient {
  const { send, agent } = keepAliveSender(baseUrl, 1);
  return { get: (path) => send('GET', path, {}), close: () => agent.destroy() };
}

/** One sample of series (node, target) at time t (unique per series, so none is a duplicate). */
export function benchSample(node: string, target: number, t: number, latency: number): string {
  return `{"node_id":"${node}","country":"GH","region":"Greater Accra","latency_ms":${latency},"uptime_pct":100,"packet_loss":0,"timestamp":"${new Date(t).toISOString()}","target":"10.0.${target >> 8}.${target & 255}","check":"icmp"}`;
}
