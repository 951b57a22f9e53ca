import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskBuffer } from './disk-buffer.ts';

const dir = mkdtempSync(join(tmpdir(), 'probe-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the writer until it has made some progress, then SIGKILLs it mid-write. */
function runAndKill(
  start: number,
  ms: number,
): Promise<{ durable: number; acked: number; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'kill-writer.fixture.ts'), dir, String(start)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let durable = start - 1;
    let acked = -1;
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'READY') setTimeout(() => child.kill('SIGKILL'), ms);
        else if (line.startsWith('D ')) durable = Number(line.slice(2));
        else if (line.startsWith('A ')) acked = Number(line.slice(2));
      }
    });
    child.once('error', reject);
    child.once('exit', (_code, signal) => resolve({ durable, acked, signal }));
  });
}

describe('disk buffer under kill -9', () => {
  it('opens after 20 kills mid-write with every durable, unacked sample intact and in order', async () => {
    let next = 0;
    let ackedEver = -1;
    for (let i = 0; i < 20; i++) {
      const { durable, acked, signal } = await runAndKill(next, 30 + ((i * 37) % 120));
      expect(signal).toBe('SIGKILL'); // killed by us, not crashed
      ackedEver = Math.max(ackedEver, acked);
      const buffer = await DiskBuffer.open({
        dir,
        maxBytes: 8 * 1024 * 1024,
        maxAgeMs: 86_400_000,
        segmentBytes: 16 * 1024,
      });
      const { samples } = await buffer.peek(1_000_000, 64 * 1024 * 1024);
      buffer.release();
      const seqs = samples.map((s) => s.seq!);
      for (let k = 1; k < seqs.length; k++) expect(seqs[k]).toBe(seqs[k - 1]! + 1); // no gap, no dup, in order
      if (durable > ackedEver) {
        // Everything reported durable is there unless acked (contiguous up to `durable`),
        // and nothing reported acked came back.
        expect(seqs.at(-1)).toBeGreaterThanOrEqual(durable);
      }
      if (seqs.length > 0) expect(seqs[0]).toBeGreaterThan(ackedEver);
      expect(buffer.stats().pending_records).toBe(samples.length);
      next = Math.max(durable, seqs.at(-1) ?? -1) + 1;
      await buffer.close();
    }
    expect(next).toBeGreaterThan(20);
  }, 120_000);
});
