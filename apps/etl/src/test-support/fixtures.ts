import { Writable } from 'node:stream';
import type { QueueEntry, Sample } from '@fiberstack/contracts';
import { type Logger, pino } from 'pino';
import { type EtlConfig, loadEtlConfig } from '../config.ts';

export function sample(overrides: Partial<Sample> = {}): Sample {
  return {
    node_id: 'probe-gh-accra-01',
    country: 'GH',
    region: 'Greater Accra',
    latency_ms: 42.5,
    uptime_pct: 100,
    packet_loss: 0,
    timestamp: new Date(Date.now() - 60_000).toISOString(),
    ...overrides,
  };
}

let counter = 0;
export function entry(samples: Sample[], message_id = `msg-${process.pid}-${++counter}`): QueueEntry {
  return { v: 1, message_id, received_at: Date.now(), samples };
}

export function testConfig(overrides: Partial<EtlConfig> = {}): EtlConfig {
  return {
    ...loadEtlConfig({
      ETL_CONSUMER: 'etl-test',
      ETL_BLOCK_MS: '0',
      ETL_BACKOFF_MIN_MS: '20',
      ETL_BACKOFF_MAX_MS: '100',
      ETL_STOP_TIMEOUT_MS: '10000',
    }),
    ...overrides,
  };
}

/** A pino logger whose JSON lines are kept for assertions. */
export function captureLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}
