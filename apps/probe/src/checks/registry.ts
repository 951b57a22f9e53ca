import type { CheckKind } from '@fiberstack/contracts';
import type { Check } from './check.types.ts';
import { dnsCheck } from './dns.check.ts';
import { httpCheck } from './http.check.ts';
import { icmpCheck } from './icmp.check.ts';
import { tcpCheck } from './tcp.check.ts';

/** Every check kind, one file each. Adding a kind = one file + one line here. */
export const checks: Readonly<Record<CheckKind, Check>> = Object.freeze({
  icmp: icmpCheck,
  tcp: tcpCheck,
  http: httpCheck,
  dns: dnsCheck,
});

export function checkFor(kind: CheckKind): Check {
  return checks[kind];
}
