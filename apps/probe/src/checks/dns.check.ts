import { lookup, Resolver } from 'node:dns';
import { monotonicMs } from '../clock.ts';
import { type Check, type CheckResult, failed, ms, type Target } from './check.types.ts';

/** Codes meaning the resolver answered (negatively): the path to it works. */
const ANSWERED = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'ESERVFAIL', 'EREFUSED', 'EFORMERR']);

function viaSystem(host: string, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('timeout'));
    signal.addEventListener('abort', onAbort, { once: true });
    lookup(host, { all: true }, (err, addresses) => {
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(addresses.length);
    });
  });
}

function viaResolver(target: Target, signal: AbortSignal): Promise<number> {
  const resolver = new Resolver({ timeout: target.timeout_ms, tries: 1 });
  resolver.setServers([target.dns.resolver]);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolver.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    resolver.resolve(target.target, target.dns.record_type, (err: Error | null, records: unknown) => {
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(Array.isArray(records) ? records.length : records ? 1 : 0);
    });
  });
}

/**
 * DNS resolution time: `system` goes through getaddrinfo (hosts file, nsswitch, the
 * machine's resolv.conf) as applications do; a named resolver is queried directly with one
 * try and the target's timeout, for the record type asked.
 */
export const dnsCheck: Check = {
  kind: 'dns',
  async run(target: Target, signal: AbortSignal): Promise<CheckResult> {
    const start = monotonicMs();
    try {
      const n =
        target.dns.resolver === 'system'
          ? await viaSystem(target.target, signal)
          : await viaResolver(target, signal);
      const rtt = ms(monotonicMs() - start);
      if (n === 0) return { ok: false, rtts: [rtt], sent: 1, reachable: true, error: 'no records' };
      return { ok: true, rtts: [rtt], sent: 1, reachable: true };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (signal.aborted || code === 'ECANCELLED' || code === 'ETIMEOUT') return failed('timeout');
      return failed(code || (err as Error).message, 1, ANSWERED.has(code));
    }
  },
};
