// The production topology of docker-compose.prod.yml as real processes on this machine:
// the project's nginx (deploy/nginx) → 2 `fiberstack api` → Redis → 2 `fiberstack etl` → PostgreSQL,
// and Prometheus running the project's deploy/prometheus configuration and alert rules, scraping
// every replica directly. The only changes made for this machine (renderNginx, renderPrometheus):
// addresses and ports; Prometheus's scrape/evaluation interval 15 s → 1 s; and the `for:` of
// FiberstackInstanceDown 1m → 3s (the test below checks that nothing else differs).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createNodes,
  createOracle,
  freePort,
  type LoadNode,
  type NginxServer,
  printSummary,
  startLoad,
  startNginx,
  startTopology,
  type Topology,
  verdict,
  waitUntil,
} from '@fiberstack/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderNginx } from '../../deploy/validate/nginx.ts';
import { DEPLOY } from '../../deploy/validate/paths.ts';
import { renderPrometheus } from '../../deploy/validate/prometheus.ts';

const INTERVAL = '1s';
const INSTANCE_DOWN_FOR = '3s';

interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
}
interface PromTarget {
  labels: Record<string, string>;
  health: 'up' | 'down' | 'unknown';
}

/** Prometheus as a child process on 127.0.0.1 with the rendered configuration; stop() by its handle. */
async function startPrometheus(dir: string, config: string, port: number) {
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = `${stderr}${d}`.slice(-4000);
  });
  const onExit = () => child.kill('SIGKILL');
  process.on('exit', onExit);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.off('exit', onExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  };
  try {
    await waitUntil(
      'prometheus',
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${stderr}`);
        return (await fetch(`${url}/-/ready`)).ok;
      },
      30_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const api = async <T>(path: string): Promise<T> => {
    const body = (await (await fetch(`${url}${path}`)).json()) as { status: string; data: T };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${JSON.stringify(body)}`);
    return body.data;
  };
  return {
    url,
    stop,
    alerts: async () => (await api<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts,
    targets: async () => (await api<{ activeTargets: PromTarget[] }>('/api/v1/targets')).activeTargets,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('production topology: nginx → 2 API → Redis → 2 ETL → PostgreSQL, watched by Prometheus', () => {
  const work = mkdtempSync(join(tmpdir(), 'fiberstack-prod-'));
  let topology: Topology;
  let nginx: NginxServer;
  let prometheus: Awaited<ReturnType<typeof startPrometheus>>;
  let promConfig = '';
  const address = (port: number) => `127.0.0.1:${port}`;

  beforeAll(async () => {
    topology = await startTopology({ apis: 2, etls: 2, nginx: false });
    nginx = await startNginx(
      topology.apis.map((a) => a.port),
      {
        healthPath: '/nginx-health',
        render: (prefix, port, upstreams) => {
          const html = join(prefix, 'html');
          mkdirSync(html, { recursive: true });
          writeFileSync(join(html, 'index.html'), '<!doctype html><div id="root"></div>');
          return renderNginx(prefix, {
            upstreams: upstreams.map(address),
            root: html,
            port,
            host: '127.0.0.1',
          });
        },
      },
    );
    const promPort = await freePort();
    promConfig = renderPrometheus(join(work, 'prometheus'), {
      interval: INTERVAL,
      self: address(promPort),
      targets: {
        api: topology.apis.map((a) => address(a.port)),
        etl: topology.etls.map((e) => address(e.port)),
        // No postgres_exporter / redis_exporter on this machine: those jobs get no targets.
        postgres: [],
        redis: [],
      },
      alertFor: { FiberstackInstanceDown: INSTANCE_DOWN_FOR },
    });
    prometheus = await startPrometheus(join(work, 'prometheus'), promConfig, promPort);
  }, 180_000);

  afterAll(async () => {
    await prometheus?.stop();
    await nginx?.stop();
    await topology?.stop();
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('runs the project’s own Prometheus rules, changed only in the InstanceDown for:', () => {
    const rules = (dir: string) =>
      (
        parse(readFileSync(join(dir, 'rules', 'fiberstack.rules.yml'), 'utf8')) as {
          groups: { rules: Record<string, unknown>[] }[];
        }
      ).groups;
    const mine = rules(join(DEPLOY, 'prometheus'));
    const rendered = rules(join(work, 'prometheus'));
    const down = (g: typeof mine) =>
      g.flatMap((x) => x.rules).find((r) => r.alert === 'FiberstackInstanceDown') as Record<string, unknown>;
    expect(down(mine).for).toBe('1m');
    expect(down(rendered).for).toBe(INSTANCE_DOWN_FOR);
    expect(down(rendered).expr).toBe('up{job=~"api|etl"} == 0');
    delete down(mine).for;
    delete down(rendered).for;
    expect(rendered).toEqual(mine);
    const config = (file: string) => parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const a = config(join(DEPLOY, 'prometheus', 'prometheus.yml'));
    const b = config(promConfig);
    expect(b.global).toEqual({
      ...(a.global as object),
      scrape_interval: INTERVAL,
      scrape_timeout: INTERVAL,
      evaluation_interval: INTERVAL,
    });
    expect(JSON.stringify(b.scrape_configs).replace(/127\.0\.0\.1:\d+/, 'localhost:9090')).toBe(
      JSON.stringify(a.scrape_configs),
    );
    expect(b.rule_files).toEqual(a.rule_files);
  });

  it('runs each ETL worker at ETL_NICE (10) and each API at the priority it was started with', () => {
    const own = getPriority();
    // /proc/<pid>/stat field 19 is the niceness (of the main thread, where the work runs).
    const nice = (pid: number) => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    expect(topology.etls.map((r) => nice(r.pid))).toEqual(topology.etls.map(() => Math.max(10, own)));
    expect(topology.apis.map((r) => nice(r.pid))).toEqual(topology.apis.map(() => own));
  });

  it('scrapes every API and ETL replica; one API killed → FiberstackInstanceDown fires for it; pushes continue through the other, lost 0, dup 0', async () => {
    const replicas = [...topology.apis, ...topology.etls].map((r) => address(r.port)).sort();
    await waitUntil(
      'every replica scraped and up',
      async () => {
        const up = (await prometheus.targets())
          .filter((t) => (t.labels.job === 'api' || t.labels.job === 'etl') && t.health === 'up')
          .map((t) => t.labels.instance)
          .sort();
        return JSON.stringify(up) === JSON.stringify(replicas);
      },
      30_000,
    );
    // A single slow scrape on a loaded machine may show a pending alert; none may be firing.
    const firingDown = async () =>
      (await prometheus.alerts()).filter(
        (a) => a.labels.alertname === 'FiberstackInstanceDown' && a.state === 'firing',
      );
    expect(await firingDown()).toEqual([]);

    const nodes: LoadNode[] = await createNodes(topology, 10, 'topo');
    const oracle = createOracle();
    let killedAt = Number.POSITIVE_INFINITY;
    let acceptedAfterKill = 0;
    const load = startLoad({
      url: nginx.url,
      nodes,
      oracle,
      total: 1_000_000,
      batchSize: 50,
      concurrency: 8,
      ratePerSec: 500,
      onResponse: (status, _ms, at, samples) => {
        if (status === 202 && at > killedAt) acceptedAfterKill += samples;
      },
    });
    await sleep(3_000);
    const victim = topology.apis[0];
    if (!victim) throw new Error('no API');
    killedAt = Date.now();
    const exit = await topology.killApi(0, 'SIGKILL');

    let firing: PromAlert | undefined;
    let pendingSeenMs: number | undefined;
    await waitUntil(
      'FiberstackInstanceDown firing',
      async () => {
        const alerts = (await prometheus.alerts()).filter(
          (a) =>
            a.labels.alertname === 'FiberstackInstanceDown' && a.labels.instance === address(victim.port),
        );
        if (pendingSeenMs === undefined && alerts.some((a) => a.state === 'pending'))
          pendingSeenMs = Date.now() - killedAt;
        firing = alerts.find((a) => a.state === 'firing');
        return firing !== undefined;
      },
      60_000,
    );
    const firedAfterMs = Date.now() - killedAt;
    const downAlerts = await firingDown();
    // Pushes keep flowing for a while after the alert, through the surviving replica only.
    await sleep(2_000);
    load.stopGenerating();
    const stats = await load.done;
    const drainMs = await topology.waitDrained(60_000);
    const result = await verdict(topology, oracle);
    // nginx's JSON access log: requests it sent to the dead replica first and then, on the
    // refused/reset connection, to the other one (proxy_next_upstream) — the client saw one answer.
    const failedOver = readFileSync(join(nginx.prefix, 'run', 'access.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"uri":"/api/push"'))
      .map((l) => (JSON.parse(l) as { upstream: string }).upstream)
      .filter((u) => u.startsWith(`${address(victim.port)}, `)).length;
    printSummary('deploy: API killed behind nginx', {
      ...result,
      status: stats.status,
      retries: stats.retries,
      api_exit: exit,
      alert_pending_after_ms: pendingSeenMs,
      alert_firing_after_ms: firedAfterMs,
      accepted_after_kill: acceptedAfterKill,
      nginx_failed_over: failedOver,
      drain_ms: drainMs,
    });

    expect(downAlerts.map((a) => [a.labels.instance, a.labels.job, a.labels.severity, a.state])).toEqual([
      [address(victim.port), 'api', 'critical', 'firing'],
    ]);
    expect(firing?.labels.role).toBe('api');
    // The series the rules and dashboards are built on come from the live replicas.
    const names = (await (await fetch(`${prometheus.url}/api/v1/label/__name__/values`)).json()) as {
      data: string[];
    };
    for (const metric of [
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'fiberstack_queue_depth',
      'fiberstack_queue_pending',
      'fiberstack_samples_queued_total',
      'fiberstack_samples_loaded_total',
      'fiberstack_ingest_lag_seconds_bucket',
    ])
      expect(names.data, metric).toContain(metric);
    expect(acceptedAfterKill).toBeGreaterThan(0);
    expect(failedOver).toBeGreaterThan(0);
    expect(stats.given_up).toBe(0);
    expect(result.generated).toBe(stats.samples_generated);
    expect(result.lost).toBe(0);
    expect(result.dup).toBe(0);

    // Back in service: the alert resolves once the replica is scraped again.
    await topology.restartApi(0);
    await waitUntil(
      'FiberstackInstanceDown resolved',
      async () =>
        !(await prometheus.alerts()).some(
          (a) =>
            a.labels.alertname === 'FiberstackInstanceDown' && a.labels.instance === address(victim.port),
        ),
      30_000,
    );
  }, 240_000);

  it('rolling restart of every API and ETL process, one by one, under load: lost 0, dup 0', async () => {
    const nodes = await createNodes(topology, 10, 'rolling');
    const oracle = createOracle();
    const load = startLoad({
      url: nginx.url,
      nodes,
      oracle,
      total: 1_000_000,
      batchSize: 50,
      concurrency: 8,
      ratePerSec: 500,
    });
    const steps: { process: string; exit_code: number | null; exit_ms: number; back_ms: number }[] = [];
    // nginx keeps a replica that failed max_fails=2 times out of rotation for fail_timeout=10s
    // (deploy/nginx/upstreams.conf): the next API goes down only once the previous one is back in.
    const API_SETTLE_MS = 11_000;
    for (const [kind, i] of [
      ['api', 0],
      ['api', 1],
      ['etl', 0],
      ['etl', 1],
    ] as const) {
      await sleep(1_500);
      const proc = kind === 'api' ? topology.apis[i] : topology.etls[i];
      if (!proc) throw new Error(`no ${kind} ${i}`);
      const t0 = Date.now();
      const exit =
        kind === 'api' ? await topology.killApi(i, 'SIGTERM') : await topology.killEtl(i, 'SIGTERM');
      if (kind === 'api') await topology.restartApi(i);
      // Same consumer name, as a restarted Compose service (etl-1, etl-2) keeps its ETL_CONSUMER.
      else await topology.restartEtl(i, { sameConsumer: true });
      steps.push({ process: proc.name, exit_code: exit.code, exit_ms: exit.ms, back_ms: Date.now() - t0 });
      if (kind === 'api') await sleep(Math.max(0, API_SETTLE_MS - (Date.now() - t0)));
    }
    await sleep(1_500);
    load.stopGenerating();
    const stats = await load.done;
    const drainMs = await topology.waitDrained(60_000);
    const result = await verdict(topology, oracle);
    const queue = await topology.queueStats();
    printSummary('deploy: rolling restart', {
      ...result,
      status: stats.status,
      retries: stats.retries,
      steps,
      drain_ms: drainMs,
      dead: queue.dead,
    });
    const unexpected = Object.keys(stats.status).filter(
      (s) => !['202', '502', '503', 'conn_error'].includes(s),
    );
    expect(unexpected).toEqual([]);
    expect(steps.map((s) => s.exit_code)).toEqual([0, 0, 0, 0]);
    expect(stats.given_up).toBe(0);
    expect(result.generated).toBe(stats.samples_generated);
    expect(result.lost).toBe(0);
    expect(result.dup).toBe(0);
    expect(queue.dead).toBe(0);
    // Prometheus sees every replica again.
    await waitUntil(
      'every replica up again',
      async () =>
        (await prometheus.targets()).filter(
          (t) => (t.labels.job === 'api' || t.labels.job === 'etl') && t.health === 'up',
        ).length === 4,
      30_000,
    );
  }, 240_000);
});
