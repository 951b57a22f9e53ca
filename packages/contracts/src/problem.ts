import { type Static, Type } from '@sinclair/typebox';
import { SampleRejection } from './push.ts';

/** RFC 9457 problem details, as `application/problem+json`. */
export const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer({ minimum: 400, maximum: 599 }),
  code: Type.String({ description: 'FS_ERR_<AREA>_<WHAT>' }),
  detail: Type.Optional(Type.String()),
  instance: Type.Optional(Type.String()),
  request_id: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  rejected: Type.Optional(Type.Array(SampleRejection)),
});
export type Problem = Static<typeof Problem>;
