import type { Static, TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const SECRET_NAME = /SECRET|TOKEN|PASS|KEY|URL|DSN/i;

/** Every problem of a configuration, reported at once. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Collects problems instead of throwing at the first one; `throwIfAny()` throws one ConfigError. */
export function collectErrors() {
  const problems: string[] = [];
  return {
    problems,
    add(problem: string) {
      problems.push(problem);
    },
    throwIfAny() {
      if (problems.length > 0) throw new ConfigError(problems);
    },
  };
}

/**
 * Validates environment variables against a TypeBox object whose keys are the variable
 * names: applies defaults, coerces strings to numbers/booleans, and returns the value with
 * every problem found. Empty strings count as unset. Variables not in the schema are ignored.
 */
export function validateEnv<T extends TObject>(
  schema: T,
  env: Readonly<Record<string, string | undefined>>,
): { value: Static<T>; problems: string[] } {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const value = Value.Convert(schema, Value.Default(schema, picked));
  const problems: string[] = [];
  for (const e of Value.Errors(schema, value)) {
    const name = e.path.replace(/^\//, '') || '(root)';
    const shown =
      e.value === undefined
        ? 'missing'
        : SECRET_NAME.test(name)
          ? 'value hidden'
          : `got ${JSON.stringify(e.value)}`;
    problems.push(`${name}: ${e.message} (${shown})`);
  }
  return { value: value as Static<T>, problems };
}

/** Like validateEnv, but throws one ConfigError listing every problem. */
export function loadEnv<T extends TObject>(
  schema: T,
  env: Readonly<Record<string, string | undefined>>,
): Static<T> {
  const { value, problems } = validateEnv(schema, env);
  if (problems.length > 0) throw new ConfigError(problems);
  return value;
}
