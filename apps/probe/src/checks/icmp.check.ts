import { spawn } from 'node:child_process';
import { type Check, type CheckResult, failed, ms, type Target } from './check.types.ts';
import { detectPinger, parseFpingSummary, parsePingOutput } from './pinger.ts';

function runTool(path: string, args: string[], signal: AbortSignal): Promise<{ out: string; code: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { signal, stdio: ['ignore', 'pipe', 'pipe'], env: { LC_ALL: 'C' } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (out.length < 65_536) out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (out.length < 65_536) out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ out, code: code ?? -1 }));
  });
}

/**
 * ICMP echo through the system's fping (or iputils ping): `count` echoes `interval_ms`
 * apart, each waiting up to `timeout_ms`. Per-packet RTTs come from the tool's own
 * timestamps, so they are exactly what the kernel saw, and drops are reported per packet.
 */
export const icmpCheck: Check = {
  kind: 'icmp',
  async run(target: Target, signal: AbortSignal): Promise<CheckResult> {
    const pinger = detectPinger();
    const { count, interval_ms } = target.icmp;
    if (!pinger) return failed('no fping or ping in PATH', count);
    const host = target.target;
    if (host.startsWith('-')) return failed('invalid host', count);
    let rtts: Array<number | null> | undefined;
    try {
      if (pinger.kind === 'fping') {
        const args = ['-C', String(count), '-q', '-p', String(interval_ms), '-t', String(target.timeout_ms)];
        const { out } = await runTool(pinger.path, [...args, '-B', '1', '-r', '0', '--', host], signal);
        rtts = parseFpingSummary(out, count);
        if (!rtts) return failed(out.trim().split('\n')[0]?.slice(0, 200) || 'fping failed', count);
      } else {
        const wait = String(Math.max(1, Math.ceil(target.timeout_ms / 1000)));
        const args = ['-n', '-c', String(count), '-i', String(interval_ms / 1000), '-W', wait, '--', host];
        const { out } = await runTool(pinger.path, args, signal);
        rtts = parsePingOutput(out, count);
      }
    } catch (err) {
      return failed(signal.aborted ? 'timeout' : (err as Error).message, count);
    }
    const answered = rtts.filter((r): r is number => r !== null).map(ms);
    return {
      ok: answered.length > 0,
      rtts: answered,
      sent: count,
      reachable: answered.length > 0,
      ...(answered.length === 0 ? { error: '100% loss' } : {}),
    };
  },
};
