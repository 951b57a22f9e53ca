import { type Static, Type } from '@sinclair/typebox';

const Check = Type.Object({
  ok: Type.Boolean(),
  latency_ms: Type.Optional(Type.Number()),
  error: Type.Optional(Type.String()),
});

export const QueueStats = Type.Object({
  kind: Type.String(),
  depth: Type.Integer(),
  pending: Type.Integer(),
  oldest_pending_age_s: Type.Union([Type.Number(), Type.Null()]),
  dead_letter: Type.Integer(),
  errors: Type.Integer(),
});
export type QueueStats = Static<typeof QueueStats>;

export const StatusResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  version: Type.String(),
  mode: Type.String(),
  uptime_s: Type.Number(),
  checks: Type.Object({ db: Check, queue: Check }),
  queue: Type.Optional(QueueStats),
});
export type StatusResponse = Static<typeof StatusResponse>;
