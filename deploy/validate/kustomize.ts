import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** A Kubernetes object as plain data. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [k: string]: unknown };
} & Record<string, unknown>;
type Obj = Record<string, unknown>;

interface Kustomization {
  namespace?: string;
  resources?: string[];
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  replicas?: { name: string; count: number }[];
  patches?: { path: string }[];
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Strategic merge as kustomize applies it to our patches: maps merge, lists of named items merge by name. */
export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (isObj(base) && isObj(patch)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(patch)) out[k] = k in base ? strategicMerge(base[k], v) : v;
    return out;
  }
  if (
    Array.isArray(base) &&
    Array.isArray(patch) &&
    patch.every((p) => isObj(p) && typeof p.name === 'string')
  ) {
    const out = base.map((b) => {
      const match = patch.find((p) => isObj(b) && (p as Obj).name === b.name);
      return match ? strategicMerge(b, match) : b;
    });
    for (const p of patch) if (!base.some((b) => isObj(b) && b.name === (p as Obj).name)) out.push(p);
    return out;
  }
  return patch;
}

function podSpecs(doc: K8sObject): Obj[] {
  const spec = doc.spec as Obj | undefined;
  const template = (spec?.template as Obj | undefined)?.spec as Obj | undefined;
  const job = ((spec?.jobTemplate as Obj | undefined)?.spec as Obj | undefined)?.template as Obj | undefined;
  return [template, job?.spec as Obj | undefined].filter(isObj);
}

/** Containers (and init containers) of a workload. */
export function containersOf(doc: K8sObject): Obj[] {
  return podSpecs(doc).flatMap((p) => [
    ...((p.containers as Obj[] | undefined) ?? []),
    ...((p.initContainers as Obj[] | undefined) ?? []),
  ]);
}

function readDocs(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as K8sObject | null)
    .filter((d): d is K8sObject => d !== null);
}

/**
 * Renders a kustomization directory with the subset of kustomize its files use (resources,
 * namespace, labels, images, replicas, strategic-merge patches). Throws on anything else, so
 * that a feature added to the manifests cannot be silently ignored here.
 */
export function renderKustomization(dir: string): K8sObject[] {
  const file = join(dir, 'kustomization.yaml');
  const k = parse(readFileSync(file, 'utf8')) as Kustomization & Obj;
  const known = ['apiVersion', 'kind', 'namespace', 'resources', 'labels', 'images', 'replicas', 'patches'];
  for (const key of Object.keys(k))
    if (!known.includes(key))
      throw new Error(`${file}: kustomize field "${key}" is not supported by this renderer`);
  let docs: K8sObject[] = [];
  for (const r of k.resources ?? []) {
    const path = join(dir, r);
    if (!existsSync(path)) throw new Error(`${file}: resource ${r} does not exist`);
    docs.push(...(statSync(path).isDirectory() ? renderKustomization(path) : readDocs(path)));
  }
  for (const { path } of k.patches ?? []) {
    for (const patch of readDocs(join(dir, path))) {
      const i = docs.findIndex((d) => d.kind === patch.kind && d.metadata.name === patch.metadata.name);
      if (i < 0)
        throw new Error(
          `${file}: patch ${path} targets ${patch.kind}/${patch.metadata.name}, which does not exist`,
        );
      docs[i] = strategicMerge(docs[i], patch) as K8sObject;
    }
  }
  for (const { pairs, includeSelectors } of k.labels ?? []) {
    if (includeSelectors)
      throw new Error(`${file}: labels.includeSelectors is not supported by this renderer`);
    docs = docs.map((d) => ({
      ...d,
      metadata: { ...d.metadata, labels: { ...(d.metadata.labels as Obj), ...pairs } },
    }));
  }
  for (const { name, count } of k.replicas ?? []) {
    const d = docs.find((x) => x.metadata.name === name && isObj(x.spec) && 'replicas' in x.spec);
    if (!d) throw new Error(`${file}: replicas for ${name}, which has no spec.replicas`);
    (d.spec as Obj).replicas = count;
  }
  for (const image of k.images ?? []) {
    for (const c of docs.flatMap(containersOf)) {
      const ref = String(c.image);
      const at = ref.lastIndexOf(':');
      const [name, tag] =
        at > ref.lastIndexOf('/') ? [ref.slice(0, at), ref.slice(at + 1)] : [ref, undefined];
      if (name !== image.name) continue;
      const newTag = image.newTag ?? tag;
      c.image = `${image.newName ?? name}${newTag ? `:${newTag}` : ''}`;
    }
  }
  if (k.namespace) docs = docs.map((d) => ({ ...d, metadata: { ...d.metadata, namespace: k.namespace } }));
  return docs;
}
