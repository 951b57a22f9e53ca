import { describe, expect, it } from 'vitest';
import { openPglite } from '../clients/pglite.ts';
import { migrate } from '../migrate.ts';
import { loadSamples } from '../queries/load-samples.ts';
import { readWatermark } from '../queries/watermark.ts';
import { generateDemoData } from './demo-data.ts';
import { demoState } from './demo-state.ts';
import { loadDemoData } from './load-demo.ts';

describe('demo state and the live watermark', () => {
  it('tells an empty database, one holding real nodes and one holding the demo set apart', async () => {
    const empty = await openPglite();
    const real = await openPglite();
    try {
      await migrate(empty);
      await migrate(real);
      expect(await demoState(empty)).toEqual({ loaded: false, nodes: 0 });
      expect(await readWatermark(empty)).toEqual({ nodes: new Map(), eventId: 0 });

      const rows = generateDemoData({ days: 1 / 24 }).rows.map((r) => ({
        ...r,
        node_id: `probe-${r.node_id}`,
      }));
      await real.transaction((tx) => loadSamples(tx, rows));
      expect(await demoState(real)).toEqual({
        loaded: false,
        nodes: new Set(rows.map((r) => r.node_id)).size,
      });

      const loaded = await loadDemoData(empty, { days: 1 / 24 });
      expect(await demoState(empty)).toEqual({ loaded: true, nodes: loaded.nodes });
      const w = await readWatermark(empty);
      expect(w.nodes.size).toBe(loaded.nodes);
      expect(w.eventId).toBeGreaterThan(0);
    } finally {
      await empty.close();
      await real.close();
    }
  }, 60_000);
});
