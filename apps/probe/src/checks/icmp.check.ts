import { spawn } from 'node:child_process';
import { type BatchCheck, type Check, type CheckResult, failed, ms, type Target } from './check.types.ts';
import { detectPinger, parseFpingSummaries, parsePingOutput } from './pinger.ts';

/** Hosts measured by one fping process at most. */
const FPING_MAX_HOSTS = 64;
/** fping's default gap between two packets to different hosts, ms (its `-i`). */
const FPING_GAP_MS = 10;

function runTool(path: string, args: string[], signal: AbortSignal): Promise<{ out: string; code: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { signal, stdio: ['ignore', 'pipe', 'pipe'], env: { LC_ALL: 'C' } });
    let out = '';
    const limit = 65_536 + args.length * 256;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (out.length < limit) out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (out.length < limit) out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ out, code: code ?? -1 }));
  });
}

function toResult(rtts: Array<number | null>, count: number): CheckResult {
  const answered = rtts.filter((r): r is number => r !== null).map(ms);
  return {
    ok: answered.length > 0,
    rtts: answered,
    sent: count,
    reachable: answered.length > 0,
    ...(answered.length === 0 ? { error: '100% loss' } : {}),
  };
}

/**
 * Gap between packets to different hosts of one fping: the host's echoes stay `interval_ms`
 * apart as configured while every host of the round gets its packet within that interval
 * (at least 1 ms, at most fping's default 10 ms).
 */
function fpingGapMs(target: Target, hosts: number): number {
  return Math.max(1, Math.min(FPING_GAP_MS, Math.floor(target.icmp.interval_ms / Math.max(1, hosts))));
}

/**
 * One fping for all `targets` (same count, spacing and timeout): fping sends each host
 * `count` echoes `interval_ms` apart, interleaving hosts `gap` ms apart, and prints one
 * summary line per host, as SmokePing's FPing probe uses it.
 */
async function fpingRound(
  path: string,
  targets: readonly Target[],
  signal: AbortSignal,
): Promise<CheckResult[]> {
  const [first] = targets;
  if (!first) return [];
  const { count, interval_ms } = first.icmp;
  const valid = targets.filter((t) => !t.target.startsWith('-'));
  let byHost = new Map<string, Array<Array<number | null>>>();
  let out = '';
  if (valid.length > 0) {
    const args = ['-C', String(count), '-q', '-p', String(interval_ms), '-t', String(first.timeout_ms)];
    args.push('-i', String(fpingGapMs(first, valid.length)), '-B', '1', '-r', '0', '--');
    try {
      ({ out } = await runTool(path, [...args, ...valid.map((t) => t.target)], signal));
    } catch (err) {
      const error = signal.aborted ? 'timeout' : (err as Error).message;
      return targets.map(() => failed(error, count));
    }
    byHost = parseFpingSummaries(out, count);
  }
  return targets.map((t) => {
    if (t.target.startsWith('-')) return failed('invalid host', count);
    const rtts = byHost.get(t.target)?.shift();
    if (rtts) return toResult(rtts, count);
    // No line for the host: it did not resolve; no line for any host: fping itself failed.
    const said = byHost.size === 0 ? out.trim().split('\n')[0]?.slice(0, 200) : undefined;
    return failed(said || 'no answer from fping (name not resolved?)', count);
  });
}

async function pingRound(path: string, target: Target, signal: AbortSignal): Promise<CheckResult> {
  const { count, interval_ms } = target.icmp;
  if (target.target.startsWith('-')) return failed('invalid host', count);
  const wait = String(Math.max(1, Math.ceil(target.timeout_ms / 1000)));
  const args = ['-n', '-c', String(count), '-i', String(interval_ms / 1000), '-W', wait, '--', target.target];
  try {
    const { out } = await runTool(path, args, signal);
    return toResult(parsePingOutput(out, count), count);
  } catch (err) {
    return failed(signal.aborted ? 'timeout' : (err as Error).message, count);
  }
}

const fpingBatch: BatchCheck = {
  max: FPING_MAX_HOSTS,
  key(target) {
    if (detectPinger()?.kind !== 'fping') return undefined;
    const { count, interval_ms } = target.icmp;
    return `icmp ${target.interval_seconds} ${count} ${interval_ms} ${target.timeout_ms}`;
  },
  run(targets, signal) {
    const pinger = detectPinger();
    if (pinger?.kind !== 'fping')
      return Promise.resolve(targets.map((t) => failed('no fping in PATH', t.icmp.count)));
    return fpingRound(pinger.path, targets, signal);
  },
  budgetMs(targets) {
    const [first] = targets;
    if (!first) return 0;
    const { count, interval_ms } = first.icmp;
    const sweep = targets.length * fpingGapMs(first, targets.length);
    return first.timeout_ms + (count - 1) * Math.max(interval_ms, sweep) + sweep + 1000;
  },
};

/**
 * ICMP echo through the system's fping (or iputils ping): `count` echoes `interval_ms`
 * apart, each waiting up to `timeout_ms`. Per-packet RTTs come from the tool's own
 * timestamps, so they are exactly what the kernel saw, and drops are reported per packet.
 * With fping, targets of equal interval and options share one fping process per round.
 */
export const icmpCheck: Check = {
  kind: 'icmp',
  async run(target: Target, signal: AbortSignal): Promise<CheckResult> {
    const pinger = detectPinger();
    if (!pinger) return failed('no fping or ping in PATH', target.icmp.count);
    if (pinger.kind === 'ping') return pingRound(pinger.path, target, signal);
    const [result] = await fpingRound(pinger.path, [target], signal);
    return result ?? failed('fping failed', target.icmp.count);
  },
  batch: fpingBatch,
};
