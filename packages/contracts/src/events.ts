import { type Static, Type } from '@sinclair/typebox';
import { NodeId } from './sample.ts';

export const EventsQuery = Type.Object(
  {
    /** Web-search syntax: `silent -outlier "packet loss"`. */
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    node_id: Type.Optional(NodeId),
    kind: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z][a-z0-9_]*$' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);
export type EventsQuery = Static<typeof EventsQuery>;

export const EventInfo = Type.Object({
  id: Type.Integer(),
  time: Type.String({ format: 'date-time' }),
  node_id: Type.Union([Type.String(), Type.Null()]),
  kind: Type.String(),
  message: Type.String(),
  data: Type.Unknown(),
});
export type EventInfo = Static<typeof EventInfo>;

export const EventsResponse = Type.Object({ events: Type.Array(EventInfo) });
export type EventsResponse = Static<typeof EventsResponse>;

/** Sent on /api/live (Server-Sent Events, `event: update`) when samples or events arrived. */
export const LiveUpdate = Type.Object({
  /** Newest sample time over all nodes. */
  seen_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** Nodes with newer samples since the previous update (all nodes in the first message). */
  nodes: Type.Array(Type.String()),
  /** Newest event id. */
  event_id: Type.Integer(),
});
export type LiveUpdate = Static<typeof LiveUpdate>;
