/** Round statistics over the answered attempts of one check round. */
export interface RoundStats {
  avg: number;
  min: number;
  max: number;
  median: number;
  /**
   * Jitter: the mean absolute difference between successive RTTs (|rtt[i] − rtt[i−1]|),
   * i.e. the unsmoothed inter-packet delay variation of RFC 3550 §6.4.1 / RFC 5481 "IPDV".
   * Unlike a standard deviation it is not inflated by a slow but steady path.
   * 0 with fewer than two answers.
   */
  jitter: number;
}

export function roundStats(rtts: readonly number[]): RoundStats | undefined {
  if (rtts.length === 0) return undefined;
  const sorted = [...rtts].sort((a, b) => a - b);
  const n = sorted.length;
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  let sum = 0;
  for (const r of rtts) sum += r;
  let diffs = 0;
  for (let i = 1; i < rtts.length; i++) diffs += Math.abs(rtts[i]! - rtts[i - 1]!);
  return {
    avg: sum / n,
    min: sorted[0]!,
    max: sorted[n - 1]!,
    median,
    jitter: n > 1 ? diffs / (n - 1) : 0,
  };
}
