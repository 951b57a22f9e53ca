import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { PushBatch } from '@fiberstack/contracts';
import { loadHttps } from '../https-lazy.ts';
import { parseRetryAfter } from './backoff.ts';

const gzip = promisify(gzipCb);

/** Answers after which the same batch must never be sent again (MISSION §3). */
export const FINAL_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404, 413, 415, 422]);

export type PushOutcome =
  | { kind: 'accepted'; status: number; rejectedSamples: number }
  | { kind: 'rejected'; status: number; detail: string }
  | { kind: 'retry'; status?: number; retryAfterMs?: number; reason: string };

export interface PushClientOptions {
  endpoint: string;
  apiKey: string;
  timeoutMs: number;
  userAgent?: string;
}

/**
 * Sends one batch as gzip-compressed JSON with a bearer key over a keep-alive connection,
 * and classifies the answer: 2xx accepted, final 4xx rejected, everything else (429, 5xx,
 * other 4xx, network errors, timeouts) retry — with the server's Retry-After when given.
 */
export class PushClient {
  private readonly url: URL;
  /** Made by the first send (node:https is loaded only for an https endpoint). */
  private transport: { request: typeof httpRequest; agent: HttpAgent } | undefined;

  constructor(private readonly o: PushClientOptions) {
    this.url = new URL(o.endpoint);
  }

  private async connect(): Promise<{ request: typeof httpRequest; agent: HttpAgent }> {
    if (this.transport) return this.transport;
    const agentOptions = { keepAlive: true, maxSockets: 1, keepAliveMsecs: 30_000 };
    if (this.url.protocol !== 'https:') {
      this.transport = { request: httpRequest, agent: new HttpAgent(agentOptions) };
    } else {
      const https = await loadHttps();
      this.transport ??= { request: https.request, agent: new https.Agent(agentOptions) };
    }
    return this.transport;
  }

  async send(batch: PushBatch, signal?: AbortSignal): Promise<PushOutcome> {
    const body = await gzip(Buffer.from(JSON.stringify(batch)));
    const timeout = AbortSignal.timeout(this.o.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const res = await this.post(body, combined);
      return classify(res.status, res.headers['retry-after'], res.text);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { kind: 'retry', reason: timeout.aborted ? 'timeout' : (e.code ?? e.message) };
    }
  }

  private async post(
    body: Buffer,
    signal: AbortSignal,
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
    const { request, agent } = await this.connect();
    return new Promise((resolve, reject) => {
      const req = request(
        this.url,
        {
          method: 'POST',
          agent,
          signal,
          headers: {
            'content-type': 'application/json',
            'content-encoding': 'gzip',
            'content-length': body.length,
            authorization: `Bearer ${this.o.apiKey}`,
            'user-agent': this.o.userAgent ?? 'fiberstack-probe/0.1',
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            if (text.length < 65_536) text += d;
          });
          res.once('error', reject);
          res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        },
      );
      req.once('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.transport?.agent.destroy();
  }
}

function classify(status: number, retryAfter: string | string[] | undefined, text: string): PushOutcome {
  if (status >= 200 && status < 300)
    return { kind: 'accepted', status, rejectedSamples: countRejected(text) };
  if (FINAL_STATUSES.has(status)) return { kind: 'rejected', status, detail: text.slice(0, 500) };
  const after = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  return {
    kind: 'retry',
    status,
    reason: `status ${status}`,
    ...(after !== undefined ? { retryAfterMs: after } : {}),
  };
}

function countRejected(text: string): number {
  try {
    const parsed = JSON.parse(text) as { rejected?: unknown };
    return Array.isArray(parsed.rejected) ? parsed.rejected.length : 0;
  } catch {
    return 0;
  }
}
