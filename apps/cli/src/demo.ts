import { type Db, demoState, generateDemoData, loadDemoData, loadSamples } from '@fiberstack/db';
import type { Logger } from '@fiberstack/logging';
import { CliError } from './cli-error.ts';

export const DEMO_DATA_DIR = './.fiberstack-demo';
const LIVE_INTERVAL_MS = 60_000;

/**
 * Fills a fresh data directory with the 7-day synthetic demo fleet (about 10–25 s), once.
 * A directory that already holds real probes' data is refused: demo rows never mix with it.
 */
export async function ensureDemoData(db: Db, logger: Logger, dataDir: string): Promise<void> {
  const { loaded, nodes } = await demoState(db);
  if (loaded) return;
  if (nodes > 0) {
    throw new CliError(
      `--demo refuses ${dataDir}: it holds data from ${nodes} real node(s). Use a separate directory, e.g. --data-dir ${DEMO_DATA_DIR}`,
      2,
    );
  }
  logger.info('loading the 7-day demo data set (about 10–25 s)');
  const r = await loadDemoData(db);
  logger.info(r, 'demo data loaded');
}

/**
 * Keeps the demo fleet moving: every minute the last two minutes of the 7-day synthetic set
 * ending now are written (re-written minutes are ignored by the natural key), so the probes
 * unhealthy in the loaded set stay so. Returns a stop function.
 */
export function startDemoTrickle(db: Db, logger: Logger): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    const { rows } = generateDemoData({ since: new Date(Date.now() - 2 * 60_000) });
    running = db
      .transaction((tx) => loadSamples(tx, rows))
      .catch((err: unknown) => logger.warn({ err }, 'demo trickle failed; next minute retries'));
  };
  const timer = setInterval(tick, LIVE_INTERVAL_MS);
  tick();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
