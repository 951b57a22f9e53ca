import { createServer } from 'node:http';
import { getPriority, hostname, setPriority } from 'node:os';
import { parseArgs } from 'node:util';
import { createEtlWorker, createScheduler, loadEtlConfig } from '@fiberstack/etl';
import { createLogger } from '@fiberstack/logging';
import { collectProcessMetrics, installSignalHandlers, Lifecycle } from '@fiberstack/runtime';
import { Registry } from 'prom-client';
import { connect } from '../roles/connect.ts';
import { loadProductionConfig } from '../roles/production-config.ts';
import { VERSION } from '../version.ts';

/**
 * `fiberstack etl`: one ETL worker in the consumer group, plus the scheduler (rollups and
 * retention; advisory locks make each job run once across workers). Serves /livez, /readyz
 * and /metrics on ETL_METRICS_PORT (default 9464) for probes and Prometheus — never data.
 */
export async function etlCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'no-scheduler': { type: 'boolean', default: false } } });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ETL_CONSUMER: process.env.ETL_CONSUMER || `${hostname()}-${process.pid}`,
  };
  const etlConfig = loadEtlConfig(env);
  const config = loadProductionConfig(env);
  const nice = lowerPriority(etlConfig.nice);
  const metricsPort = Number(env.ETL_METRICS_PORT ?? 9464);
  const logger = createLogger({ service: 'fiberstack-etl', version: VERSION, level: config.logLevel });
  const conn = await connect(config, logger, 'etl', etlConfig.consumer);
  const registry = new Registry();
  collectProcessMetrics(registry);
  const lifecycle = new Lifecycle(logger);
  lifecycle.add('connections', { stop: () => conn.close() });
  const worker = createEtlWorker({ db: conn.db, queue: conn.queue, logger, metrics: registry }, etlConfig);
  let ready = false;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/livez') return void res.writeHead(200).end('ok');
    if (path === '/readyz') return void res.writeHead(ready ? 200 : 503).end(ready ? 'ready' : 'not ready');
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    res.writeHead(404).end();
  });
  lifecycle.add('health server', {
    start: () =>
      new Promise<void>((resolve) => server.listen(metricsPort, env.ETL_METRICS_HOST ?? '0.0.0.0', resolve)),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
  lifecycle.add('worker', {
    start: async () => {
      await worker.start();
      ready = true;
    },
    stop: async () => {
      ready = false;
      await worker.stop();
    },
  });
  if (!values['no-scheduler'] && env.ETL_SCHEDULER !== 'false') {
    const scheduler = createScheduler({ db: conn.db, logger }, etlConfig);
    lifecycle.add('scheduler', { start: () => scheduler.start(), stop: () => scheduler.stop() });
  }
  const stopped = new Promise<void>((resolve) => lifecycle.onStopped(resolve));
  await lifecycle.start();
  installSignalHandlers(lifecycle, logger);
  logger.info(
    { consumer: etlConfig.consumer, queue: conn.queue.kind, metrics_port: metricsPort, nice },
    'etl ready',
  );
  await stopped;
  return 0;
}

/**
 * Raises this process's niceness to `nice` (ETL_NICE) unless it already runs nicer; returns
 * the niceness it runs at. Lowering priority needs no privilege. On Linux this is the main
 * thread's, where the worker's JavaScript runs.
 */
function lowerPriority(nice: number): number {
  const current = getPriority();
  if (nice <= current) return current;
  setPriority(nice);
  return getPriority();
}
