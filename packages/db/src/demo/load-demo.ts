import { insertEvents } from '../queries/events.ts';
import { loadSamples } from '../queries/load-samples.ts';
import { maintainTables } from '../queries/maintenance.ts';
import { refreshRollups } from '../queries/refresh-rollups.ts';
import type { Db } from '../types.ts';
import { type DemoOptions, generateDemoData } from './demo-data.ts';

export interface DemoLoadResult {
  samples: number;
  events: number;
  nodes: number;
  duration_ms: number;
}

const CHUNK = 5_000;

/**
 * Writes the synthetic demo data set (see generateDemoData) and builds its rollups. Meant for a
 * fresh, dedicated data directory: the set is labelled (a `demo_data` event, `demo-` node ids,
 * label dataset=demo) so the dashboard shows a DEMO banner and it never mixes silently with real data.
 */
export async function loadDemoData(db: Db, opts: DemoOptions = {}): Promise<DemoLoadResult> {
  const started = performance.now();
  const { rows, events } = generateDemoData(opts);
  let samples = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    samples += (await db.transaction((tx) => loadSamples(tx, chunk))).inserted;
  }
  const written = await insertEvents(db, events);
  for (;;) {
    const r = await refreshRollups(db, { maxBuckets: 20_000 });
    if (r.hourly === 0) break;
  }
  // Planner statistics for the fresh week (PGlite has no autovacuum): the first pages read it.
  await maintainTables(db, { maxTables: 100 });
  const nodes = new Set(rows.map((r) => r.node_id)).size;
  return { samples, events: written, nodes, duration_ms: Math.round(performance.now() - started) };
}
