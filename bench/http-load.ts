import { Agent, request } from 'node:http';

/** A keep-alive HTTP client for load generation: less per-request work than fetch. */
export interface PushClient {
  /** Resolves with the status (0 on a connection error) and the answer time in ms. */
  push(key: string, body: string): Promise<{ status: number; ms: number }>;
  close(): void;
}

export function createPushClient(baseUrl: string, maxSockets: number): PushClient {
  const url = new URL('/api/push', baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    push(key, body) {
      const started = performance.now();
      return new Promise((resolve) => {
        const req = request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            headers: {
              authorization: `Bearer ${key}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
          },
        );
        req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

/** One sample of series (node, target) at time t (unique per series, so none is a duplicate). */
export function benchSample(node: string, target: number, t: number, latency: number): string {
  return `{"node_id":"${node}","country":"GH","region":"Greater Accra","latency_ms":${latency},"uptime_pct":100,"packet_loss":0,"timestamp":"${new Date(t).toISOString()}","target":"10.0.${target >> 8}.${target & 255}","check":"icmp"}`;
}
