import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { CheckResult } from './exec.ts';
import { DEPLOY } from './paths.ts';
import { unknownMetrics } from './prometheus.ts';

export interface Target {
  refId?: string;
  expr?: string;
  rawSql?: string;
  datasource?: { uid?: string; type?: string };
}

export interface Panel {
  id?: number;
  type?: string;
  title?: string;
  datasource?: { uid?: string; type?: string };
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  panels?: Panel[];
}

export interface Dashboard {
  uid?: string;
  title?: string;
  panels?: Panel[];
  templating?: { list?: { name: string; datasource?: { uid?: string } }[] };
}

/** The dashboards in deploy/grafana/dashboards, by file name. */
export function loadDashboards(dir = join(DEPLOY, 'grafana', 'dashboards')): Map<string, Dashboard> {
  const out = new Map<string, Dashboard>();
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort())
    out.set(f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as Dashboard);
  return out;
}

/** uid → type of the provisioned data sources. */
export function provisionedDatasources(
  dir = join(DEPLOY, 'grafana', 'provisioning', 'datasources'),
): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n))) {
    const doc = parse(readFileSync(join(dir, f), 'utf8')) as {
      datasources?: { uid: string; type: string }[];
    };
    for (const ds of doc.datasources ?? []) out.set(ds.uid, ds.type);
  }
  return out;
}

export function allPanels(d: Dashboard): Panel[] {
  return (d.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Structure, data-source references, layout and metric names of every provisioned dashboard. */
export function checkGrafana(
  dashboardsDir = join(DEPLOY, 'grafana', 'dashboards'),
  datasourcesDir = join(DEPLOY, 'grafana', 'provisioning', 'datasources'),
): CheckResult {
  const problems: string[] = [];
  const datasources = provisionedDatasources(datasourcesDir);
  const uids = new Set<string>();
  const exprs: string[] = [];
  let dashboards: Map<string, Dashboard>;
  try {
    dashboards = loadDashboards(dashboardsDir);
  } catch (err) {
    return { name: 'grafana dashboards', problems: [`not valid JSON: ${(err as Error).message}`] };
  }
  for (const [file, d] of dashboards) {
    if (!d.uid || !/^[a-z0-9-]{1,40}$/.test(d.uid))
      problems.push(`${file}: uid missing or not [a-z0-9-]{1,40}`);
    else if (uids.has(d.uid)) problems.push(`${file}: uid ${d.uid} used twice`);
    else uids.add(d.uid);
    if (!d.title) problems.push(`${file}: no title`);
    const panels = allPanels(d);
    if (panels.length === 0) problems.push(`${file}: no panels`);
    const ids = new Set<number>();
    for (const p of panels) {
      const where = `${file} panel "${p.title ?? p.id}"`;
      if (typeof p.id !== 'number' || ids.has(p.id)) problems.push(`${where}: id missing or duplicated`);
      else ids.add(p.id);
      const g = p.gridPos;
      if (!g || g.w < 1 || g.x + g.w > 24 || g.h < 1)
        problems.push(`${where}: gridPos outside the 24-column grid`);
      if (p.type === 'row') continue;
      for (const t of p.targets ?? []) {
        const uid = t.datasource?.uid ?? p.datasource?.uid;
        const type = uid ? datasources.get(uid) : undefined;
        if (!type) problems.push(`${where}: data source ${uid ?? '(none)'} is not provisioned`);
        if (type === 'prometheus') {
          if (!t.expr) problems.push(`${where}: Prometheus target without expr`);
          else exprs.push(t.expr);
        }
        if (type === 'grafana-postgresql-datasource' && !t.rawSql)
          problems.push(`${where}: SQL target without rawSql`);
      }
      if ((p.targets ?? []).length === 0) problems.push(`${where}: no query`);
    }
    for (const v of d.templating?.list ?? [])
      if (v.datasource?.uid && !datasources.has(v.datasource.uid))
        problems.push(`${file} variable ${v.name}: data source ${v.datasource.uid} is not provisioned`);
  }
  for (const m of unknownMetrics(exprs)) problems.push(`dashboards use ${m}, which no application exports`);
  return { name: 'grafana dashboards', problems };
}
