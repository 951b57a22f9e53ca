import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { FastifySchemaCompiler } from 'fastify';

const DECIMAL = /^-?\d{1,16}$/;

/**
 * Integer fields of a query string or path given as anything but plain decimal digits. TypeBox's
 * Convert reads "1e9" and "1.5" as 1 and "0x10" as 16; such values are refused instead.
 */
function looseIntegers(schema: TSchema, input: unknown): string[] {
  const props = (schema as { properties?: Record<string, TSchema> }).properties;
  if (!props || typeof input !== 'object' || input === null) return [];
  const bad: string[] = [];
  for (const [name, prop] of Object.entries(props)) {
    if (prop.type !== 'integer') continue;
    const raw = (input as Record<string, unknown>)[name];
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      if (typeof v === 'string' && !DECIMAL.test(v)) bad.push(name);
    }
  }
  return bad;
}

/**
 * Fastify validation with TypeBox, the same schemas as the contracts: bodies are checked
 * strictly (no coercion, unknown fields rejected); query strings and params get defaults
 * and string → number/boolean conversion first.
 */
export const typeboxValidator: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  return (input: unknown) => {
    const loose = httpPart === 'body' ? [] : looseIntegers(schema, input);
    if (loose.length > 0) {
      const errors = loose.map((name) => ({
        keyword: 'typebox',
        instancePath: `/${name}`,
        schemaPath: '',
        params: {},
        message: 'must be a whole number written in decimal digits',
      }));
      return { error: Object.assign(new Error(errors[0]?.message), { validation: errors }) };
    }
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
