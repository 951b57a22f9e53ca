import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApi, loadApiConfig } from '@fiberstack/api';
import { migrate, openPglite } from '@fiberstack/db';
import { createEtlWorker, createScheduler, loadEtlConfig } from '@fiberstack/etl';
import { createLogger, LOG_LEVELS, logLevelFrom } from '@fiberstack/logging';
import { createEmbeddedQueue } from '@fiberstack/queue';
import { installSignalHandlers, Lifecycle } from '@fiberstack/runtime';
import { Registry } from 'prom-client';
import { CliError } from '../cli-error.ts';
import { resolveDashboardDir } from '../dashboard-dir.ts';
import { DEFAULT_DATA_DIR, ensureAdminToken, lockDataDir, prepareDataDir } from '../data-dir.ts';
import { DEMO_DATA_DIR, ensureDemoData, startDemoTrickle } from '../demo.ts';
import { apiKeySecret } from '../secrets.ts';
import { VERSION } from '../version.ts';

/**
 * `fiberstack up`: API, ETL and scheduler in one process on embedded PostgreSQL (PGlite) and
 * the embedded durable queue. Returns when the process has been asked to stop.
 */
export async function upCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: process.env.PORT ?? '8000' },
      host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
      'data-dir': { type: 'string' },
      demo: { type: 'boolean', default: false },
    },
  });
  const demo = values.demo;
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError(`--port must be a whole number from 0 to 65535, not '${values.port}'`);
  }
  const logLevel = logLevelFrom(process.env.LOG_LEVEL);
  if (logLevel === undefined) {
    throw new CliError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not '${process.env.LOG_LEVEL}'`);
  }
  const dataDir = prepareDataDir(
    values['data-dir'] ?? process.env.FIBERSTACK_DATA_DIR ?? (demo ? DEMO_DATA_DIR : DEFAULT_DATA_DIR),
  );
  const release = lockDataDir(dataDir);
  const logger = createLogger({ service: 'fiberstack', version: VERSION, level: logLevel });
  const lifecycle = new Lifecycle(logger);
  lifecycle.add('data-dir lock', { stop: async () => release() });

  const sharedBuffersMb = Number(process.env.PGLITE_SHARED_BUFFERS_MB ?? 32);
  if (!Number.isInteger(sharedBuffersMb) || sharedBuffersMb < 1 || sharedBuffersMb > 4096) {
    throw new CliError('PGLITE_SHARED_BUFFERS_MB must be a whole number of MB from 1 to 4096');
  }
  const db = await openPglite({ dataDir: join(dataDir, 'pgdata'), sharedBuffersMb });
  lifecycle.add('database', { stop: () => db.close() });
  const { applied } = await migrate(db);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  if (demo) {
    await ensureDemoData(db, logger, dataDir);
    const stopTrickle = startDemoTrickle(db, logger);
    lifecycle.add('demo trickle', { stop: stopTrickle });
  }
  const dashboardDir = resolveDashboardDir(logger);

  const queue = createEmbeddedQueue({ db });
  lifecycle.add('queue', { stop: () => queue.close() });
  const admin = ensureAdminToken(dataDir);
  const env = { ...process.env, PORT: String(port), HOST: values.host };
  // One registry: /metrics serves the API's and the ETL's metrics together.
  const registry = new Registry();
  const app = await buildApi(
    {
      db,
      queue,
      logger,
      adminToken: admin.token,
      apiKeySecret: apiKeySecret(dataDir, process.env),
      mode: 'embedded',
      version: VERSION,
      registry,
      ...(dashboardDir ? { dashboardDir } : {}),
    },
    loadApiConfig(env),
  );
  const etlConfig = loadEtlConfig(env);
  const worker = createEtlWorker({ db, queue, logger, metrics: registry }, etlConfig);
  const scheduler = createScheduler({ db, logger }, etlConfig);
  lifecycle.add('etl', { start: () => worker.start(), stop: () => worker.stop() });
  lifecycle.add('scheduler', { start: () => scheduler.start(), stop: () => scheduler.stop() });
  lifecycle.add('http', {
    start: async () => {
      try {
        await app.listen({ port, host: values.host });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE')
          throw new CliError(`port ${port} is already in use (try --port)`, 1, { cause: err });
        if (code === 'EACCES')
          throw new CliError(`no permission to listen on port ${port}`, 1, { cause: err });
        throw err;
      }
    },
    stop: () => app.close(),
  });

  const stopped = new Promise<void>((resolve) => lifecycle.onStopped(resolve));
  try {
    await lifecycle.start();
  } catch (err) {
    await lifecycle.stop();
    throw err;
  }
  installSignalHandlers(lifecycle, logger);
  const base = `http://${values.host.includes(':') ? `[${values.host}]` : values.host}:${port}`;
  process.stdout.write(banner({ base, dataDir, admin, dashboard: dashboardDir !== undefined, demo }));
  await stopped;
  return 0;
}

interface BannerInfo {
  base: string;
  dataDir: string;
  admin: { created: boolean; path: string };
  dashboard: boolean;
  demo: boolean;
}

function banner({ base, dataDir, admin, dashboard, demo }: BannerInfo): string {
  return `
FiberStack ${VERSION} is running (all-in-one, embedded PostgreSQL)${demo ? ' with DEMO DATA (synthetic)' : ''}
  Dashboard      ${dashboard ? `${base}/` : 'not available (see the log above)'}
  API            ${base}/api
  API docs       ${base}/docs
  Health         ${base}/readyz   Metrics ${base}/metrics
  Data           ${dataDir}
  Admin token    ${admin.path}${admin.created ? ' (created now)' : ''}

Create a key for a probe:
  npx fiberstack keys create --node probe-gh-accra-01 --data-dir ${dataDir} --api ${base}
`;
}
