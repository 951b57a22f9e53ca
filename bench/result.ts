import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** The machine a figure was measured on. */
export function machine() {
  const cpu = cpus();
  return {
    cores: cpu.length,
    model: cpu[0]?.model ?? 'unknown',
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

export function writeResult(name: string, figures: Record<string, unknown>): string {
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ scenario: name, at: new Date().toISOString(), machine: machine(), figures }, null, 2)}\n`,
  );
  return file;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/** One decimal, for printed milliseconds. */
export const round = (x: number) => Math.round(x * 10) / 10;

/** p50/p95/p99/max of ascending latencies (ms). */
export function latencyFigures(sorted: number[]) {
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? 0),
  };
}

/** A numeric command-line option, refused with its name when it is not a number ≥ min. */
export function numberOption(name: string, raw: string | undefined, min = 1): number {
  const value = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isFinite(value) || value < min)
    throw new Error(`--${name} must be a number ≥ ${min}, got ${JSON.stringify(raw)}`);
  return value;
}
