import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { buildApi, DEV_API_KEY_SECRET, loadApiConfig } from '@fiberstack/api';
import { createLogger } from '@fiberstack/logging';
import { installSignalHandlers, Lifecycle } from '@fiberstack/runtime';
import { CliError } from '../cli-error.ts';
import { connect } from '../roles/connect.ts';
import { loadProductionConfig } from '../roles/production-config.ts';
import { VERSION } from '../version.ts';

/** `fiberstack api`: one API replica on PostgreSQL and Redis Streams, configured by environment. */
export async function apiCommand(args: string[]): Promise<number> {
  parseArgs({ args, options: {} });
  const env = process.env;
  const apiConfig = loadApiConfig(env);
  const config = loadProductionConfig(env);
  const logger = createLogger({ service: 'fiberstack-api', version: VERSION, level: config.logLevel });
  const replica = `${hostname()}-${process.pid}`;
  const conn = await connect(config, logger, 'api', replica);
  const lifecycle = new Lifecycle(logger);
  lifecycle.add('connections', { stop: () => conn.close() });
  const app = await buildApi(
    {
      db: conn.db,
      queue: conn.queue,
      logger,
      adminToken: apiConfig.adminToken ?? '',
      apiKeySecret: apiConfig.apiKeySecret ?? DEV_API_KEY_SECRET,
      mode: 'production',
      version: VERSION,
      ...(conn.redis ? { rateLimitRedis: conn.redis } : {}),
    },
    apiConfig,
  );
  if (!apiConfig.adminToken) logger.warn('ADMIN_TOKEN is not set: admin routes answer 401');
  lifecycle.add('http', {
    start: async () => {
      try {
        await app.listen({ port: apiConfig.port, host: apiConfig.host });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
          throw new CliError(`port ${apiConfig.port} is already in use`, 1, { cause: err });
        throw err;
      }
    },
    // Readiness false first, so load balancers stop sending, then drain in-flight requests.
    stop: async () => {
      (app as unknown as { markNotReady(): void }).markNotReady();
      await app.close();
    },
  });
  const stopped = new Promise<void>((resolve) => lifecycle.onStopped(resolve));
  await lifecycle.start();
  installSignalHandlers(lifecycle, logger);
  logger.info({ port: apiConfig.port, queue: conn.queue.kind }, 'api ready');
  await stopped;
  return 0;
}
