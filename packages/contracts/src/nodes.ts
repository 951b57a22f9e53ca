import { type Static, Type } from '@sinclair/typebox';

export const NodeInfo = Type.Object({
  node_id: Type.String(),
  country: Type.String(),
  region: Type.String(),
  first_seen_at: Type.String({ format: 'date-time' }),
  last_seen_at: Type.String({ format: 'date-time' }),
});
export type NodeInfo = Static<typeof NodeInfo>;

export const NodesResponse = Type.Object({ nodes: Type.Array(NodeInfo) });
export type NodesResponse = Static<typeof NodesResponse>;
