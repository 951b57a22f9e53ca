import { describe, expect, it } from 'vitest';
import { generateDemoData } from './demo-data.ts';

const MIN = 60_000;

describe('generateDemoData', () => {
  it('continues the full set minute by minute: the probes unhealthy now stay so', () => {
    const now = new Date(Date.UTC(2026, 11, 6, 23, 47, 30));
    const full = generateDemoData({ now });
    const lastMinutes = (rows: typeof full.rows, id: string) =>
      rows.filter(
        (r) => r.node_id === id && r.check === 'icmp' && r.time.getTime() >= now.getTime() - 2 * MIN,
      );
    // Written a minute and an hour later, as the trickle of `fiberstack up --demo` writes them.
    for (const later of [MIN, 60 * MIN]) {
      const at = new Date(now.getTime() + later);
      const { rows } = generateDemoData({ now: at, since: new Date(at.getTime() - 2 * MIN) });
      expect(rows.every((r) => r.time.getTime() >= at.getTime() - 2 * MIN)).toBe(true);
      expect(new Set(rows.map((r) => r.node_id)).size).toBe(14);
      // Silent (a power outage), down and in a loss burst in the loaded set, and still.
      expect(rows.filter((r) => r.node_id === 'demo-gh-tamale-01')).toEqual([]);
      expect(lastMinutes(full.rows, 'demo-gh-tamale-01')).toEqual([]);
      const portharcourt = rows.filter((r) => r.node_id === 'demo-ng-portharcourt-01' && r.check === 'icmp');
      expect(portharcourt.length).toBeGreaterThan(0);
      expect(portharcourt.every((r) => (r.packet_loss ?? 0) > 40)).toBe(true);
      const kano = rows.filter((r) => r.node_id === 'demo-ng-kano-01' && r.check === 'icmp');
      expect(kano.every((r) => (r.packet_loss ?? 0) > 0)).toBe(true);
    }
  });
});
