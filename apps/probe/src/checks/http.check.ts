import { type Check, type CheckResult, failed, type Target } from './check.types.ts';
import { type HopResult, requestOnce } from './http-request.ts';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function statusOk(status: number, expect: number[], following: boolean): boolean {
  if (expect.length > 0) return expect.includes(status);
  return status >= 200 && status < (following ? 300 : 400);
}

function clampDays(days: number): number {
  return Math.max(-36500, Math.min(36500, days));
}

/**
 * HTTP(S) check: phase timings from socket events (see http-request.ts), status and keyword
 * assertions, bounded redirects (each hop a fresh connection; the phases are the final
 * hop's, total_ms spans every hop), and TLS certificate days to expiry.
 */
export const httpCheck: Check = {
  kind: 'http',
  async run(target: Target, signal: AbortSignal): Promise<CheckResult> {
    const o = target.http;
    let url: URL;
    try {
      url = new URL(target.target);
    } catch {
      return failed('invalid url');
    }
    let method = o.method;
    let total = 0;
    let hop: HopResult | undefined;
    let tlsDaysLeft: number | undefined;
    for (let redirects = 0; ; redirects++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return failed('unsupported scheme');
      try {
        hop = await requestOnce(
          url,
          { method, tlsVerify: o.tls_verify, ca: o.ca, wantBody: !!o.keyword },
          signal,
        );
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        const reason = signal.aborted ? 'timeout' : (e.code ?? e.message);
        // A TLS or refusal error came from the host itself: it is reachable, the service is not.
        return failed(reason, 1, e.code === 'ECONNREFUSED' || /CERT|SSL|TLS/.test(reason));
      }
      total += hop.timings.total_ms ?? 0;
      tlsDaysLeft ??= hop.tlsDaysLeft;
      const location = hop.headers.location;
      if (!o.follow_redirects || !REDIRECTS.has(hop.status) || !location) break;
      if (redirects >= o.max_redirects) {
        return { ...result(hop, total, tlsDaysLeft, false), error: 'too many redirects' };
      }
      url = new URL(location, url);
      if (hop.status === 303) method = 'GET';
    }
    let ok = statusOk(hop.status, o.expect_status, o.follow_redirects);
    let error = ok ? undefined : `status ${hop.status}`;
    if (ok && o.keyword && !hop.body.includes(o.keyword)) {
      ok = false;
      error = 'keyword not found';
    }
    return { ...result(hop, total, tlsDaysLeft, ok), ...(error ? { error } : {}) };
  },
};

function result(hop: HopResult, total: number, tlsDaysLeft: number | undefined, ok: boolean): CheckResult {
  const timings = { ...hop.timings, total_ms: Math.round(total * 1000) / 1000 };
  return {
    ok,
    rtts: [timings.total_ms],
    sent: 1,
    reachable: true,
    ...(hop.status >= 100 && hop.status <= 599 ? { http_status: hop.status } : {}),
    http: timings,
    ...(tlsDaysLeft !== undefined ? { tls_days_left: clampDays(tlsDaysLeft) } : {}),
  };
}
