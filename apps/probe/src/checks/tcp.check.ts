import { connect } from 'node:net';
import { monotonicMs } from '../clock.ts';
import { type Check, type CheckResult, failed, ms, type Target } from './check.types.ts';
import { splitHostPort } from './host-port.ts';

/**
 * TCP connect time from the socket's own events: `lookup` ends name resolution, `connect`
 * ends the three-way handshake; the reported latency is connect − lookup (handshake only).
 */
export const tcpCheck: Check = {
  kind: 'tcp',
  run(target: Target, signal: AbortSignal): Promise<CheckResult> {
    const { host, port } = splitHostPort(target.target, target.tcp.port);
    if (port === undefined) return Promise.resolve(failed('no port'));
    return new Promise((resolve) => {
      let done = false;
      const start = monotonicMs();
      let lookupAt: number | undefined;
      const socket = connect({ host, port });
      const finish = (result: CheckResult) => {
        if (done) return;
        done = true;
        signal.removeEventListener('abort', onAbort);
        socket.destroy();
        resolve(result);
      };
      const onAbort = () => finish(failed('timeout'));
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('lookup', (err) => {
        lookupAt = monotonicMs();
        if (err) finish(failed(`lookup: ${err.message}`));
      });
      socket.once('connect', () => {
        const rtt = ms(monotonicMs() - (lookupAt ?? start));
        finish({ ok: true, rtts: [rtt], sent: 1, reachable: true });
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        // A refusal is an answer from the host: reachable, but the service is down.
        finish(failed(err.code ?? err.message, 1, err.code === 'ECONNREFUSED'));
      });
      if (signal.aborted) onAbort();
    });
  },
};
