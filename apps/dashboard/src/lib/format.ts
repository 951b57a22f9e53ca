const dash = '–';

/**
 * Milliseconds with `digits` decimals; under 1 ms two significant digits instead (a LAN or
 * loopback link answers in tens of microseconds: 0.047 ms, not 0.0 ms); from 1 s on, seconds.
 */
export function fmtMs(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return dash;
  if (v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  if (v > 0 && v < 1) return `${Number(v.toPrecision(2))} ms`;
  return `${v.toFixed(digits)} ms`;
}

export function fmtPct(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return dash;
  return `${v.toFixed(digits)} %`;
}

export function fmtCount(v: number): string {
  return new Intl.NumberFormat('en').format(v);
}

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function fmtAgo(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** UTC date-time without seconds: 2025-11-24 16:00 UTC. */
export function fmtTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
