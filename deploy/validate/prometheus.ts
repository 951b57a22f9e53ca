import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseDocument, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { type CheckResult, hasCommand, run } from './exec.ts';
import { definedMetrics, referencedMetrics } from './metrics-catalogue.ts';
import { DEPLOY } from './paths.ts';

/**
 * Metrics the dashboards and rules may use before an application exports them (none today).
 * Listed here so that the drift check stays strict for every other name.
 */
export const REQUESTED_METRICS: readonly string[] = [];

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
}

/** Alert and recording rules of a rules file. */
export function loadRules(file: string): RuleFile['groups'][number]['rules'] {
  const doc = parse(readFileSync(file, 'utf8')) as RuleFile;
  return doc.groups.flatMap((g) => g.rules);
}

/** Every fiberstack_… and http_… metric of the expressions must be one the applications define. */
export function unknownMetrics(exprs: readonly string[], known = definedMetrics()): string[] {
  const out = new Set<string>();
  for (const expr of exprs)
    for (const name of referencedMetrics(expr))
      if (!known.has(name) && !REQUESTED_METRICS.includes(name)) out.add(name);
  return [...out];
}

/** promtool check config, check rules, test rules; plus the metric-name drift check. */
export function checkPrometheus(dir = join(DEPLOY, 'prometheus')): CheckResult {
  const name = 'prometheus config, rules and rule tests';
  if (!hasCommand('promtool'))
    return { name, problems: [], skipped: 'promtool is not installed (apt-get install prometheus)' };
  const problems: string[] = [];
  const steps: [string, string[]][] = [
    ['check config', ['check', 'config', 'prometheus.yml']],
    ...readdirSync(join(dir, 'rules')).map((f): [string, string[]] => [
      `check rules ${f}`,
      ['check', 'rules', `rules/${f}`],
    ]),
    ...readdirSync(join(dir, 'tests')).map((f): [string, string[]] => [
      `test rules ${f}`,
      ['test', 'rules', `tests/${f}`],
    ]),
  ];
  for (const [label, args] of steps) {
    const r = run('promtool', args, { cwd: dir });
    if (!r.ok) problems.push(`promtool ${label}: ${r.output}`);
  }
  const exprs = readdirSync(join(dir, 'rules')).flatMap((f) =>
    loadRules(join(dir, 'rules', f)).map((r) => r.expr),
  );
  for (const m of unknownMetrics(exprs)) problems.push(`rules use ${m}, which no application exports`);
  return { name, problems };
}

export interface PrometheusRender {
  /** Replaces global scrape_interval, scrape_timeout (capped at the interval) and evaluation_interval. */
  readonly interval?: string;
  /**
   * New addresses per targets file (api, etl, probes, postgres, redis), in the order of the
   * file's own addresses (api-1:8000 → the first, …); the labels are kept. An empty list leaves
   * the job without targets (a service this machine does not run).
   */
  readonly targets?: Readonly<Record<string, readonly string[]>>;
  /** Prometheus's own address, in place of localhost:9090. */
  readonly self?: string;
  /** Alert name → new `for:` (the only change made to the rules). */
  readonly alertFor?: Readonly<Record<string, string>>;
}

/**
 * Copies deploy/prometheus into outDir with only the given substitutions — intervals, target
 * addresses, `for:` of named alerts — made through the YAML structure, so that every expression,
 * label and annotation stays the project's own. Returns the path of the rendered prometheus.yml.
 */
export function renderPrometheus(
  outDir: string,
  opts: PrometheusRender,
  dir = join(DEPLOY, 'prometheus'),
): string {
  for (const sub of ['rules', 'targets']) mkdirSync(join(outDir, sub), { recursive: true });

  const config = parseDocument(readFileSync(join(dir, 'prometheus.yml'), 'utf8'));
  if (opts.interval) {
    config.setIn(['global', 'scrape_interval'], opts.interval);
    config.setIn(['global', 'scrape_timeout'], opts.interval);
    config.setIn(['global', 'evaluation_interval'], opts.interval);
  }
  if (opts.self) {
    const jobs = config.get('scrape_configs') as YAMLSeq<YAMLMap>;
    for (const job of jobs.items) {
      const statics = job.get('static_configs') as YAMLSeq<YAMLMap> | undefined;
      for (const sc of statics?.items ?? []) {
        const list = sc.get('targets') as YAMLSeq<Scalar<string>>;
        for (const t of list.items) if (t.value === 'localhost:9090') t.value = opts.self;
      }
    }
  }
  writeFileSync(join(outDir, 'prometheus.yml'), config.toString());

  const used = new Set<string>();
  for (const f of readdirSync(join(dir, 'rules'))) {
    const doc = parseDocument(readFileSync(join(dir, 'rules', f), 'utf8'));
    for (const group of (doc.get('groups') as YAMLSeq<YAMLMap>).items)
      for (const rule of (group.get('rules') as YAMLSeq<YAMLMap>).items) {
        const alert = rule.get('alert');
        const newFor = typeof alert === 'string' ? opts.alertFor?.[alert] : undefined;
        if (newFor === undefined) continue;
        if (!rule.has('for')) throw new Error(`alert ${alert} has no for: to shorten`);
        rule.set('for', newFor);
        used.add(alert as string);
      }
    writeFileSync(join(outDir, 'rules', f), doc.toString());
  }
  for (const a of Object.keys(opts.alertFor ?? {}))
    if (!used.has(a)) throw new Error(`no alert named ${a} in ${join(dir, 'rules')}`);

  for (const f of readdirSync(join(dir, 'targets'))) {
    const text = readFileSync(join(dir, 'targets', f), 'utf8');
    const replacement = opts.targets?.[f.replace(/\.ya?ml$/, '')];
    if (replacement === undefined) {
      writeFileSync(join(outDir, 'targets', f), text);
      continue;
    }
    const doc = parseDocument(text);
    const groups = (doc.contents as YAMLSeq<YAMLMap> | null)?.items ?? [];
    if (replacement.length === 0) {
      writeFileSync(join(outDir, 'targets', f), '[]\n');
      continue;
    }
    let i = 0;
    for (const g of groups)
      for (const t of (g.get('targets') as YAMLSeq<Scalar<string>>).items) {
        const next = replacement[i++];
        if (next === undefined) throw new Error(`targets/${f} has more addresses than were given`);
        t.value = next;
      }
    if (i !== replacement.length)
      throw new Error(`targets/${f} has ${i} addresses, ${replacement.length} given`);
    writeFileSync(join(outDir, 'targets', f), doc.toString());
  }
  return join(outDir, 'prometheus.yml');
}
