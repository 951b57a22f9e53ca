import type { FleetNode, NodeStatus } from '@fiberstack/contracts';

export const STATUS_ORDER: readonly NodeStatus[] = ['down', 'silent', 'degraded', 'up'];
export const STATUS_LABEL: Record<NodeStatus, string> = {
  up: 'Up',
  degraded: 'Degraded',
  down: 'Down',
  silent: 'Silent',
};

/** Worst first: status severity, then loss, then p95 latency. */
export function worstFirst(nodes: readonly FleetNode[]): FleetNode[] {
  const rank = (n: FleetNode) => STATUS_ORDER.indexOf(n.status);
  return [...nodes].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (b.current.packet_loss ?? 0) - (a.current.packet_loss ?? 0) ||
      (b.window.latency_p95_ms ?? 0) - (a.window.latency_p95_ms ?? 0) ||
      a.node_id.localeCompare(b.node_id),
  );
}

/** The worst status of a group (down > silent > degraded > up); undefined for an empty group. */
export function worstStatus(statuses: readonly NodeStatus[]): NodeStatus | undefined {
  for (const s of STATUS_ORDER) if (statuses.includes(s)) return s;
  return undefined;
}

export interface Tile {
  key: string;
  country: string;
  nodes: number;
  counts: Record<NodeStatus, number>;
  worst: NodeStatus;
  latency_avg_ms: number | null;
  packet_loss: number | null;
}

/** Per-country or per-region tiles from the fleet: counts by status and sample-weighted averages. */
export function tiles(nodes: readonly FleetNode[], by: 'country' | 'region'): Tile[] {
  const groups = new Map<string, FleetNode[]>();
  for (const n of nodes) {
    const key = by === 'country' ? n.country : n.region;
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  return [...groups.entries()]
    .map(([key, members]) => {
      const counts: Record<NodeStatus, number> = { up: 0, degraded: 0, down: 0, silent: 0 };
      for (const m of members) counts[m.status] += 1;
      return {
        key,
        country: members[0]!.country,
        nodes: members.length,
        counts,
        worst: worstStatus(members.map((m) => m.status)) ?? 'up',
        latency_avg_ms: weighted(members, (m) => m.window.latency_avg_ms),
        packet_loss: weighted(members, (m) => m.window.packet_loss),
      };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}

function weighted(nodes: readonly FleetNode[], pick: (n: FleetNode) => number | null): number | null {
  let sum = 0;
  let weight = 0;
  for (const n of nodes) {
    const v = pick(n);
    if (v === null || n.window.samples === 0) continue;
    sum += v * n.window.samples;
    weight += n.window.samples;
  }
  return weight === 0 ? null : sum / weight;
}

export interface FleetFilter {
  country?: string;
  region?: string;
  status?: string;
  q?: string;
}

export function filterFleet(nodes: readonly FleetNode[], f: FleetFilter): FleetNode[] {
  const q = f.q?.toLowerCase();
  return nodes.filter(
    (n) =>
      (!f.country || n.country === f.country) &&
      (!f.region || n.region === f.region) &&
      (!f.status || n.status === f.status) &&
      (!q || n.node_id.toLowerCase().includes(q)),
  );
}
