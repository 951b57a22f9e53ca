import { Worker } from 'node:worker_threads';
import type { OpenLoopInput, OpenLoopMessage, OpenLoopOutput } from './open-loop.worker.ts';

export interface OpenLoopHooks {
  /** A run starts; `measured` is false for the warm-up runs before the last. */
  onStart?(measured: boolean): void;
  /** A warm-up run ended. */
  onWarmup?(output: OpenLoopOutput): void;
}

/**
 * Runs the open-loop generator (open-loop.worker.ts) in a worker thread and resolves with the
 * figures of its last run; the runs before it are warm-ups, reported through `hooks`.
 */
export async function runOpenLoop(input: OpenLoopInput, hooks: OpenLoopHooks = {}): Promise<OpenLoopOutput> {
  const measured = input.runs.length - 1;
  const worker = new Worker(new URL('./open-loop.worker.mjs', import.meta.url), { workerData: input });
  try {
    return await new Promise<OpenLoopOutput>((resolve, reject) => {
      worker.on('message', (m: OpenLoopMessage) => {
        if ('started' in m) hooks.onStart?.(m.run === measured);
        else if (m.run < measured) hooks.onWarmup?.(m.output);
        else resolve(m.output);
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the push generator exited with ${code}`)));
    });
  } finally {
    await worker.terminate();
  }
}
