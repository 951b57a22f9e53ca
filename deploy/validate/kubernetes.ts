import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type CheckResult, hasCommand, run } from './exec.ts';
import { containersOf, type K8sObject, renderKustomization } from './kustomize.ts';
import { DEPLOY, ROOT } from './paths.ts';

type Obj = Record<string, unknown>;
interface Model {
  validate(): void;
}

export const K8S = join(DEPLOY, 'k8s');
export const OVERLAYS = readdirSync(join(K8S, 'overlays')).sort();

/** Validates one object against the Kubernetes OpenAPI schema of its apiVersion/kind (kubernetes-models). */
export async function schemaProblems(doc: K8sObject): Promise<string[]> {
  const where = `${doc.kind}/${doc.metadata?.name}`;
  let Class: new (data: unknown) => Model;
  try {
    const mod = (await import(
      /* @vite-ignore */ `kubernetes-models/${doc.apiVersion}/${doc.kind}`
    )) as Record<string, unknown>;
    Class = mod[doc.kind] as new (data: unknown) => Model;
    if (typeof Class !== 'function') throw new Error('no model');
  } catch {
    return [`${where}: unknown apiVersion/kind ${doc.apiVersion} ${doc.kind}`];
  }
  try {
    new Class(doc).validate();
    return [];
  } catch (err) {
    return [`${where}: ${(err as Error).message.replace(/\s+/g, ' ').slice(0, 600)}`];
  }
}

/** FiberStack's hardening rules for every workload: non-root, read-only root, no privilege, limits, probes. */
export function policyProblems(doc: K8sObject): string[] {
  const problems: string[] = [];
  const where = `${doc.kind}/${doc.metadata.name}`;
  const containers = containersOf(doc);
  if (containers.length === 0) return problems;
  const spec = doc.spec as Obj;
  const pod = ((spec.template as Obj | undefined)?.spec ??
    (((spec.jobTemplate as Obj).spec as Obj).template as Obj).spec) as Obj;
  if ((pod.securityContext as Obj | undefined)?.runAsNonRoot !== true)
    problems.push(`${where}: runAsNonRoot is not true`);
  for (const c of containers) {
    const sc = (c.securityContext ?? {}) as Obj;
    const cw = `${where} container ${String(c.name)}`;
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${cw}: readOnlyRootFilesystem is not true`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${cw}: allowPrivilegeEscalation is not false`);
    const drop = ((sc.capabilities as Obj | undefined)?.drop as string[] | undefined) ?? [];
    if (!drop.includes('ALL')) problems.push(`${cw}: capabilities do not drop ALL`);
    const limits = ((c.resources as Obj | undefined)?.limits ?? {}) as Obj;
    if (!limits.memory || !limits.cpu) problems.push(`${cw}: no cpu/memory limits`);
    if (doc.kind === 'Deployment') {
      const path = (p: unknown) => ((p as Obj | undefined)?.httpGet as Obj | undefined)?.path;
      if (path(c.livenessProbe) === undefined) problems.push(`${cw}: no livenessProbe`);
      if (path(c.readinessProbe) === undefined) problems.push(`${cw}: no readinessProbe`);
      if (
        String(c.image).includes('server') &&
        (path(c.livenessProbe) !== '/livez' || path(c.readinessProbe) !== '/readyz')
      )
        problems.push(`${cw}: liveness must be /livez and readiness /readyz`);
    }
  }
  return problems;
}

/** Renders base and every overlay, validates each object, and compares with `kubectl kustomize` when present. */
export async function checkKubernetes(): Promise<CheckResult> {
  const problems: string[] = [];
  const dirs = [join(K8S, 'base'), ...OVERLAYS.map((o) => join(K8S, 'overlays', o))];
  for (const dir of dirs) {
    const label = relative(ROOT, dir);
    let docs: K8sObject[];
    try {
      docs = renderKustomization(dir);
    } catch (err) {
      problems.push(`${label}: ${(err as Error).message}`);
      continue;
    }
    for (const doc of docs) {
      for (const p of await schemaProblems(doc)) problems.push(`${label}: ${p}`);
      for (const p of policyProblems(doc)) problems.push(`${label}: ${p}`);
    }
    if (hasCommand('kubectl')) {
      const r = run('kubectl', ['kustomize', dir]);
      if (!r.ok) problems.push(`${label}: kubectl kustomize: ${r.output}`);
      else {
        const theirs = parseAllDocuments(r.output).map((d) => d.toJS() as K8sObject);
        const key = (d: K8sObject) => `${d.kind}/${d.metadata.name}`;
        const mine = new Map(docs.map((d) => [key(d), JSON.stringify(sortKeys(d))]));
        for (const d of theirs)
          if (mine.get(key(d)) !== JSON.stringify(sortKeys(d)))
            problems.push(`${label}: ${key(d)} renders differently from kubectl kustomize`);
        if (theirs.length !== docs.length)
          problems.push(`${label}: kubectl kustomize renders ${theirs.length} objects, not ${docs.length}`);
      }
    }
  }
  return { name: 'kubernetes manifests', problems };
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Obj)[k])]),
    );
  return v;
}
