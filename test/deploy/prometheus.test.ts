import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEPLOY, ROOT } from '../../deploy/validate/paths.ts';
import { checkPrometheus, loadRules, unknownMetrics } from '../../deploy/validate/prometheus.ts';

const DIR = join(DEPLOY, 'prometheus');
const RULES = join(DIR, 'rules', 'fiberstack.rules.yml');

describe('Prometheus configuration and alert rules', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'fiberstack-prom-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('passes promtool check config, check rules and test rules', () => {
    const result = checkPrometheus();
    expect(result.skipped).toBeUndefined();
    expect(result.problems).toEqual([]);
  });

  it('fails when a rule drifts from its unit test (instance down after 5 m instead of 1 m)', () => {
    const copy = join(scratch, 'broken');
    cpSync(DIR, copy, { recursive: true });
    const text = readFileSync(RULES, 'utf8').replace(
      /(expr: up\{job=~"api\|etl"\} == 0\n\s+for: )1m/,
      '$15m',
    );
    expect(text).not.toBe(readFileSync(RULES, 'utf8'));
    writeFileSync(join(copy, 'rules', 'fiberstack.rules.yml'), text);
    expect(checkPrometheus(copy).problems.join('\n')).toMatch(/test rules/);
  });

  it('has the alerts of the seeds and of the issue, each with severity and a runbook section', () => {
    const rules = loadRules(RULES);
    const alerts = new Map(rules.map((r) => [r.alert, r]));
    for (const name of [
      'FiberstackInstanceDown',
      'FiberstackHighErrorRate',
      'FiberstackHighLatencyP95',
      'FiberstackQueueBacklog',
      'FiberstackIngestLagHigh',
      'FiberstackDeadLetterGrowing',
      'FiberstackProbeSilent',
      'FiberstackNoSamplesIngested',
      'FiberstackPostgresDown',
      'FiberstackRedisDown',
    ])
      expect(alerts.has(name), name).toBe(true);
    const raw = parse(readFileSync(RULES, 'utf8')) as {
      groups: {
        rules: {
          alert: string;
          for?: string;
          labels: { severity: string };
          annotations: { runbook: string };
        }[];
      }[];
    };
    const ops = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8').toLowerCase();
    for (const r of raw.groups.flatMap((g) => g.rules)) {
      expect(['critical', 'warning'], r.alert).toContain(r.labels.severity);
      const anchor = r.annotations.runbook.split('#')[1] ?? '';
      expect(ops, `${r.alert} runbook`).toContain(`### ${anchor}`);
    }
    expect(alerts.get('FiberstackInstanceDown')?.expr).toBe('up{job=~"api|etl"} == 0');
    expect(alerts.get('FiberstackHighLatencyP95')?.expr).toMatch(/> 0\.75\s*$/);
    expect(alerts.get('FiberstackHighErrorRate')?.expr).toMatch(/> 0\.05\s*$/);
    expect(alerts.get('FiberstackQueueBacklog')?.expr).toMatch(/> 100$/);
  });

  it('only uses metrics the applications export (a renamed metric fails here)', () => {
    expect(unknownMetrics(loadRules(RULES).map((r) => r.expr))).toEqual([]);
    expect(unknownMetrics(['rate(fiberstack_samples_queud_total[5m])'])).toEqual([
      'fiberstack_samples_queud_total',
    ]);
  });

  it('scrapes every replica directly', () => {
    const targets = (f: string) =>
      (parse(readFileSync(join(DIR, 'targets', f), 'utf8')) as { targets: string[] }[]).flatMap(
        (t) => t.targets,
      );
    expect(targets('api.yml')).toEqual(['api-1:8000', 'api-2:8000']);
    expect(targets('etl.yml')).toEqual(['etl-1:9464', 'etl-2:9464']);
  });
});
