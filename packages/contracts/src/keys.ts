import { type Static, Type } from '@sinclair/typebox';
import { NodeId } from './sample.ts';

export const CreateKeyBody = Type.Object(
  { node_id: NodeId, label: Type.Optional(Type.String({ maxLength: 128 })) },
  { additionalProperties: false },
);
export type CreateKeyBody = Static<typeof CreateKeyBody>;

export const ApiKeyInfo = Type.Object({
  id: Type.String(),
  node_id: Type.String(),
  prefix: Type.String(),
  label: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  revoked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  last_used_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type ApiKeyInfo = Static<typeof ApiKeyInfo>;

/** Returned once, on creation: the only time the secret is shown. */
export const CreatedKey = Type.Composite([ApiKeyInfo, Type.Object({ key: Type.String() })]);
export type CreatedKey = Static<typeof CreatedKey>;

export const KeysResponse = Type.Object({ keys: Type.Array(ApiKeyInfo) });
export type KeysResponse = Static<typeof KeysResponse>;
