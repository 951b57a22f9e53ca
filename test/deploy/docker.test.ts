import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEPLOY } from '../../deploy/validate/paths.ts';

const dockerfile = (name: string) => readFileSync(join(DEPLOY, 'docker', name), 'utf8');

describe('images', () => {
  it.each(['server.Dockerfile', 'dashboard.Dockerfile'])(
    '%s: multi-stage, pinned, non-root, health-checked',
    (name) => {
      const text = dockerfile(name);
      const froms = [...text.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
      expect(froms.length).toBeGreaterThanOrEqual(2);
      for (const m of text.matchAll(/^ARG \w+_IMAGE=(\S+)$/gm)) expect(m[1]).toMatch(/:[\w.-]*\d[\w.-]*$/);
      expect(text).not.toMatch(/:latest\b/);
      expect(text).toMatch(/^USER (node|101)$/m);
      expect(text).toMatch(/^HEALTHCHECK /m);
      expect(text).toMatch(/^ENTRYPOINT \[/m);
    },
  );

  it('server image: one image for every role, tini as PID 1, pg client for backups', () => {
    const text = dockerfile('server.Dockerfile');
    expect(text).toContain(
      'ENTRYPOINT ["/usr/bin/tini", "--", "/opt/fiberstack/deploy/docker/docker-entrypoint.sh"]',
    );
    expect(text).toContain('CMD ["api"]');
    expect(text).toContain('postgresql-client-15');
    expect(text).toContain('--omit=dev');
    expect(dockerfile('dashboard.Dockerfile')).toContain('/src/apps/dashboard/dist /usr/share/nginx/html');
  });
});

describe('docker-entrypoint.sh (secrets as files)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fiberstack-entry-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = join(dir, 'print-env.mjs');
  writeFileSync(
    cli,
    'process.stdout.write(JSON.stringify({ args: process.argv.slice(2), pass: process.env.DB_PASS, token: process.env.ADMIN_TOKEN, file: process.env.DB_PASS_FILE ?? null }));',
  );
  const entry = (env: Record<string, string>, args: string[] = ['api']) =>
    spawnSync('sh', [join(DEPLOY, 'docker', 'docker-entrypoint.sh'), ...args], {
      env: { PATH: process.env.PATH ?? '', FIBERSTACK_CLI: cli, ...env },
      encoding: 'utf8',
    });

  it('turns NAME_FILE into NAME and runs the command with its arguments', () => {
    writeFileSync(join(dir, 'db_password'), 's3cr3t with spaces\n');
    writeFileSync(join(dir, 'admin_token'), 'tok');
    const r = entry({ DB_PASS_FILE: join(dir, 'db_password'), ADMIN_TOKEN_FILE: join(dir, 'admin_token') }, [
      'etl',
      '--no-scheduler',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      args: ['etl', '--no-scheduler'],
      pass: 's3cr3t with spaces',
      token: 'tok',
      file: null,
    });
  });

  it('refuses a missing file and a variable given twice', () => {
    const missing = entry({ DB_PASS_FILE: join(dir, 'nope') });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('DB_PASS_FILE');
    const twice = entry({ DB_PASS_FILE: join(dir, 'db_password'), DB_PASS: 'x' });
    expect(twice.status).toBe(2);
  });
});
