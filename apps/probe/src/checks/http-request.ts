import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { HttpTimings } from '@fiberstack/contracts';
import { monotonicMs } from '../clock.ts';
import { loadHttps } from '../https-lazy.ts';
import { ms } from './check.types.ts';

const BODY_LIMIT = 1024 * 1024;
const DAY_MS = 86_400_000;

export interface HopResult {
  status: number;
  headers: IncomingHttpHeaders;
  /** First 1 MiB of the body, for keyword assertions. */
  body: string;
  timings: HttpTimings;
  tlsDaysLeft?: number;
}

export interface HopOptions {
  method: string;
  tlsVerify: boolean;
  ca?: string;
  wantBody: boolean;
}

/**
 * One HTTP(S) exchange on a fresh socket (no keep-alive, no pooling), timed from the
 * socket's own events: lookup → connect → secureConnect → response → end. `t0` is taken
 * right before the request is created; after the warm-up this costs microseconds.
 */
export async function requestOnce(url: URL, opts: HopOptions, signal: AbortSignal): Promise<HopResult> {
  const https = url.protocol === 'https:' ? await loadHttps() : undefined;
  return new Promise((resolve, reject) => {
    const isHttps = https !== undefined;
    const t0 = monotonicMs();
    const at: { lookup?: number; connect?: number; secure?: number; response?: number } = {};
    let tlsDaysLeft: number | undefined;
    const options = {
      method: opts.method,
      agent: false as const,
      signal,
      headers: { 'user-agent': 'fiberstack-probe/0.1', 'accept-encoding': 'identity', connection: 'close' },
      ...(isHttps ? { rejectUnauthorized: opts.tlsVerify, ...(opts.ca ? { ca: opts.ca } : {}) } : {}),
    };
    const req = (https ? https.request : httpRequest)(url, options, (res) => {
      at.response = monotonicMs();
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (opts.wantBody && size < BODY_LIMIT) {
          chunks.push(chunk);
          size += chunk.length;
        }
      });
      res.once('error', reject);
      res.once('end', () => {
        const end = monotonicMs();
        const tcpStart = at.lookup ?? t0;
        const timings: HttpTimings = {
          ...(at.lookup !== undefined ? { dns_ms: ms(at.lookup - t0) } : {}),
          ...(at.connect !== undefined ? { connect_ms: ms(at.connect - tcpStart) } : {}),
          ...(at.secure !== undefined && at.connect !== undefined
            ? { tls_ms: ms(at.secure - at.connect) }
            : {}),
          ttfb_ms: ms((at.response ?? end) - t0),
          total_ms: ms(end - t0),
        };
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).subarray(0, BODY_LIMIT).toString('utf8'),
          timings,
          ...(tlsDaysLeft !== undefined ? { tlsDaysLeft } : {}),
        });
      });
    });
    req.once('socket', (socket) => {
      socket.once('lookup', () => {
        at.lookup = monotonicMs();
      });
      socket.once('connect', () => {
        at.connect = monotonicMs();
      });
      socket.once('secureConnect', () => {
        at.secure = monotonicMs();
        const cert = (socket as TLSSocket).getPeerCertificate();
        const validTo = cert?.valid_to ? Date.parse(cert.valid_to) : Number.NaN;
        if (Number.isFinite(validTo)) tlsDaysLeft = Math.floor((validTo - Date.now()) / DAY_MS);
      });
    });
    req.once('error', reject);
    req.end();
  });
}
