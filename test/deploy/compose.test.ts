import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkComposeFile, exampleEnv } from '../../deploy/validate/compose.ts';
import { DEPLOY, ROOT } from '../../deploy/validate/paths.ts';

const PROD = join(DEPLOY, 'compose', 'docker-compose.prod.yml');
const DEV = join(DEPLOY, 'compose', 'docker-compose.dev.yml');
type Svc = Record<string, unknown> & { environment?: Record<string, string>; command?: string[] };
const prod = parse(readFileSync(PROD, 'utf8'), { merge: true }) as { services: Record<string, Svc> } & Record<
  string,
  Record<string, unknown>
>;

describe('compose files against the Compose specification', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'fiberstack-compose-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it.each([PROD, DEV])('%s is valid', (file) => {
    expect(checkComposeFile(file).problems).toEqual([]);
  });

  it.each([
    [
      'an unknown service key',
      (t: string) => t.replace('restart: unless-stopped', 'restart_policy: always'),
      /schema/,
    ],
    [
      'a health gate on a service without healthcheck',
      (t: string) =>
        t.replace(
          / {4}healthcheck:\n {6}test: \["CMD", "redis-cli", "ping"\]\n {6}interval: 10s\n {6}timeout: 5s\n {6}retries: 5\n/,
          '',
        ),
      /no healthcheck/,
    ],
    [
      'a published API port',
      (t: string) => t.replace('    hostname: api-1\n', '    hostname: api-1\n    ports: ["8000:8000"]\n'),
      /only nginx/,
    ],
    [
      'an inline secret',
      (t: string) => t.replace('  DB_PASS_FILE: /run/secrets/db_password', '  DB_PASS: hunter2'),
      /secret file/,
    ],
    [
      'an undeclared volume',
      (t: string) => t.replace('- redis-data:/data', '- redis-state:/data'),
      /not declared/,
    ],
  ])('rejects %s', (_label, mutate, expected) => {
    const file = join(DEPLOY, 'compose', `.mutated-${process.pid}.prod.yml`);
    const text = mutate(readFileSync(PROD, 'utf8'));
    expect(text).not.toBe(readFileSync(PROD, 'utf8'));
    writeFileSync(file, text);
    try {
      expect(checkComposeFile(file).problems.join('\n')).toMatch(expected);
    } finally {
      rmSync(file);
    }
  });
});

describe('the production topology', () => {
  const s = prod.services;

  it('is nginx → 2 API → Redis → 2 ETL → TimescaleDB, with Prometheus, Grafana and exporters', () => {
    for (const name of [
      'nginx',
      'api-1',
      'api-2',
      'etl-1',
      'etl-2',
      'migrate',
      'db',
      'redis',
      'prometheus',
      'grafana',
    ])
      expect(s, name).toHaveProperty(name);
    expect(s['api-1']?.command).toEqual(['api']);
    expect(s['etl-2']?.command).toEqual(['etl']);
    expect(String(s.db?.image)).toMatch(/^\$\{TIMESCALEDB_IMAGE:-timescale\/timescaledb:[\d.]+-pg15\}$/);
    expect((s.elasticsearch as { profiles?: string[] }).profiles).toEqual(['elastic']);
  });

  it('publishes only nginx and keeps everything else on an internal network', () => {
    const published = Object.entries(s)
      .filter(([, v]) => v.ports)
      .map(([k]) => k);
    expect(published).toEqual(['nginx']);
    expect((prod.networks as Record<string, { internal?: boolean }>).internal?.internal).toBe(true);
    // Outbound access: nginx (it is published) and the one-shot backup (its upload hook).
    const outbound = ['nginx', 'backup'];
    for (const [name, svc] of Object.entries(s))
      if (!outbound.includes(name)) expect(svc.networks, name).toEqual(['internal']);
    expect(s.backup?.networks).toEqual(['internal', 'edge']);
    expect(s.backup?.ports).toBeUndefined();
  });

  it('keeps Redis durable (AOF every second) and never evicts queued samples', () => {
    const cmd = ((s.redis?.command ?? []) as string[]).join(' ');
    expect(cmd).toContain('--appendonly yes');
    expect(cmd).toContain('--appendfsync everysec');
    expect(cmd).toContain('--maxmemory-policy noeviction');
  });

  it('gates start order on health and migrations', () => {
    expect(s['api-1']?.depends_on).toEqual({
      migrate: { condition: 'service_completed_successfully' },
      redis: { condition: 'service_healthy' },
    });
    expect(s.nginx?.depends_on).toEqual({
      'api-1': { condition: 'service_healthy' },
      'api-2': { condition: 'service_healthy' },
    });
    expect(s.migrate?.depends_on).toEqual({ db: { condition: 'service_healthy' } });
  });

  it('runs our containers read-only, without capabilities, with secrets as files', () => {
    for (const name of ['api-1', 'etl-1', 'migrate', 'nginx']) {
      expect(s[name]?.read_only, name).toBe(true);
      expect(s[name]?.cap_drop, name).toEqual(['ALL']);
    }
    expect(s['api-1']?.environment).toMatchObject({
      DB_PASS_FILE: '/run/secrets/db_password',
      API_KEY_SECRET_FILE: '/run/secrets/api_key_secret',
      ADMIN_TOKEN_FILE: '/run/secrets/admin_token',
      TRUST_PROXY: 'true',
    });
    expect(s['etl-1']?.environment?.ETL_CONSUMER).toBe('etl-1');
    expect(s['etl-2']?.environment?.ETL_CONSUMER).toBe('etl-2');
  });
});

describe('.env.example', () => {
  const env = exampleEnv();

  it('has every variable of the deployment model and every one the compose files interpolate', () => {
    const model = ['ENV', 'DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASS', 'REDIS_URL', 'ELASTIC_URL'];
    const ours = [
      'API_KEY_SECRET',
      'ADMIN_TOKEN',
      'CORS_ORIGINS',
      'DATABASE_URL',
      'PORT',
      'BACKUP_DIR',
      'BACKUP_KEEP',
    ];
    for (const name of [...model, ...ours]) expect(env, name).toHaveProperty(name);
    for (const file of [PROD, DEV])
      for (const m of readFileSync(file, 'utf8').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g))
        if (!['UID', 'GID', 'NODE_IMAGE'].includes(m[1] as string) && !/_IMAGE$/.test(m[1] as string))
          expect(env, `${file}: ${m[1]}`).toHaveProperty(m[1] as string);
  });

  it('documents every setting the api, etl and production roles read', () => {
    const sources = [
      'apps/api/src/config.ts',
      'apps/etl/src/config.ts',
      'apps/cli/src/roles/production-config.ts',
    ];
    const read = new Set<string>();
    for (const f of sources) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      for (const m of text.matchAll(/(?:int\('|env\.|^\s+)([A-Z][A-Z0-9_]{2,})(?:'|\b(?=\??\s*[:.)|,;]))/gm))
        read.add(m[1] as string);
    }
    expect(read.size).toBeGreaterThan(20);
    // HOSTNAME comes from the runtime; *_DEBUG_* knobs exist for tests only.
    const missing = [...read].filter((n) => !(n in env) && n !== 'HOSTNAME' && !n.includes('_DEBUG_'));
    expect(missing).toEqual([]);
  });
});
