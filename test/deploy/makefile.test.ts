import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../deploy/validate/paths.ts';

const make = (...args: string[]) =>
  spawnSync('make', ['--no-print-directory', '-C', ROOT, ...args], { encoding: 'utf8' });

describe('Makefile', () => {
  it.each(['up', 'down', 'logs', 'ps', 'backup', 'validate', 'dev'])('has the %s target', (target) => {
    const r = make('-n', target, 'ENV_FILE=.env.example');
    expect(r.status, r.stderr).toBe(0);
  });

  it('restore needs FILE and passes --yes to the restore command', () => {
    expect(make('restore', 'ENV_FILE=.env.example').status).toBe(2);
    const r = make('-n', 'restore', 'FILE=fiberstack-x.dump', 'ENV_FILE=.env.example');
    expect(r.stdout).toContain('restore /backups/fiberstack-x.dump --yes');
  });

  it('make validate checks compose, Prometheus, Grafana, nginx and Kubernetes, and passes', () => {
    const r = make('validate');
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    for (const check of ['compose', 'prometheus', 'grafana', 'nginx -t', 'kubernetes'])
      expect(r.stdout).toMatch(new RegExp(`✓ ${check}`));
    expect(join(ROOT, 'Makefile')).toBeTruthy();
  });
});
