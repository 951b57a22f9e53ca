import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkKubernetes,
  K8S,
  OVERLAYS,
  policyProblems,
  schemaProblems,
} from '../../deploy/validate/kubernetes.ts';
import { containersOf, type K8sObject, renderKustomization } from '../../deploy/validate/kustomize.ts';

type Obj = Record<string, unknown>;
const prod = renderKustomization(join(K8S, 'overlays', 'prod'));
const find = (kind: string, name: string) => {
  const d = prod.find((x) => x.kind === kind && x.metadata.name === name);
  if (!d) throw new Error(`${kind}/${name} missing`);
  return d;
};
const env = (d: K8sObject) =>
  Object.fromEntries(
    ((containersOf(d)[0]?.env as { name: string; value?: string }[] | undefined) ?? []).map((e) => [
      e.name,
      e.value,
    ]),
  );
const spec = (d: K8sObject) => d.spec as Obj;

describe('Kubernetes manifests (kustomize base + overlays)', () => {
  it('base and every overlay render and validate against the Kubernetes schemas and our policy', async () => {
    expect(OVERLAYS).toEqual(['prod', 'staging']);
    const result = await checkKubernetes();
    expect(result.problems).toEqual([]);
  });

  it('has api Deployment+Service+HPA+PDB, etl scaled on queue depth, web, Ingress, ConfigMap, probe DaemonSet', () => {
    const kinds = prod.map((d) => `${d.kind}/${d.metadata.name}`).sort();
    for (const k of [
      'ConfigMap/fiberstack-config',
      'Deployment/fiberstack-api',
      'Service/fiberstack-api',
      'HorizontalPodAutoscaler/fiberstack-api',
      'PodDisruptionBudget/fiberstack-api',
      'Deployment/fiberstack-etl',
      'HorizontalPodAutoscaler/fiberstack-etl',
      'Deployment/fiberstack-scheduler',
      'Ingress/fiberstack',
      'DaemonSet/fiberstack-probe',
      'Job/fiberstack-migrate',
      'CronJob/fiberstack-backup',
    ])
      expect(kinds).toContain(k);
    const etlHpa = JSON.stringify(spec(find('HorizontalPodAutoscaler', 'fiberstack-etl')).metrics);
    expect(etlHpa).toContain('"type":"External"');
    expect(etlHpa).toContain('fiberstack_queue_depth');
    for (const d of prod) expect(d.metadata.namespace, `${d.kind}/${d.metadata.name}`).toBe('fiberstack');
  });

  it('runs the scheduler only in its singleton; workers have ETL_SCHEDULER=false', () => {
    const scheduler = find('Deployment', 'fiberstack-scheduler');
    expect(spec(scheduler).replicas).toBe(1);
    expect(spec(scheduler).strategy).toEqual({ type: 'Recreate' });
    expect(env(scheduler).ETL_SCHEDULER).toBe('true');
    expect(env(find('Deployment', 'fiberstack-etl')).ETL_SCHEDULER).toBe('false');
    expect(spec(find('Deployment', 'fiberstack-etl')).replicas).toBe(3);
  });

  it('overlays change images, replicas and settings', () => {
    const api = find('Deployment', 'fiberstack-api');
    expect(containersOf(api)[0]?.image).toBe('ghcr.io/example/fiberstack-server:0.1.0');
    expect(spec(api).replicas).toBe(3);
    expect((find('ConfigMap', 'fiberstack-config').data as Obj).CORS_ORIGINS).toBe(
      'https://fiberstack.example.org',
    );
    const staging = renderKustomization(join(K8S, 'overlays', 'staging'));
    const ing = staging.find((d) => d.kind === 'Ingress') as K8sObject;
    expect(JSON.stringify(ing.spec)).toContain('staging.fiberstack.example.org');
    expect(staging.every((d) => d.metadata.namespace === 'fiberstack-staging')).toBe(true);
  });

  it('gives the probe CAP_NET_RAW and nothing else', () => {
    const sc = containersOf(find('DaemonSet', 'fiberstack-probe'))[0]?.securityContext as Obj;
    expect(sc.capabilities).toEqual({ drop: ['ALL'], add: ['NET_RAW'] });
  });

  it('catches schema errors and policy violations', async () => {
    const api = structuredClone(find('Deployment', 'fiberstack-api'));
    (api.spec as Obj).replicas = 'two';
    expect((await schemaProblems(api)).join()).toMatch(/replicas/);
    const c = containersOf(api)[0] as Obj;
    c.securityContext = { ...(c.securityContext as Obj), readOnlyRootFilesystem: false };
    c.readinessProbe = { httpGet: { path: '/livez', port: 'http' } };
    expect(policyProblems(api).join('\n')).toMatch(/readOnlyRootFilesystem[\s\S]*\/readyz/);
    expect(
      await schemaProblems({ apiVersion: 'apps/v9', kind: 'Deployment', metadata: { name: 'x' } }),
    ).toHaveLength(1);
  });
});
