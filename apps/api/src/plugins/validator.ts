import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Fastify validation with TypeBox, the same schemas as the contracts: bodies are checked
 * strictly (no coercion, unknown fields rejected); query strings and params get defaults
 * and string → number/boolean conversion first.
 */
export const typeboxValidator: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  return (input: unknown) => {
    const value =
      httpPart === 'body' ? input : Value.Convert(schema, Value.Default(schema, Value.Clone(input)));
    if (check.Check(value)) return { value };
    const errors = [...check.Errors(value)].slice(0, 10).map((e) => ({
      keyword: 'typebox',
      instancePath: e.path,
      schemaPath: '',
      params: {},
      message: e.message,
    }));
    return { error: Object.assign(new Error(errors[0]?.message ?? 'invalid'), { validation: errors }) };
  };
};
