import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Limits } from '@fiberstack/contracts';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { ApiConfig } from './config.ts';
import type { ApiDeps } from './deps.ts';
import type { App } from './fastify-types.ts';
import { registerBodyDecoding } from './plugins/body-decoding.ts';
import { registerErrorHandler } from './plugins/error-handler.ts';
import { registerJsonParser } from './plugins/json-parser.ts';
import {
  createMetrics,
  registerHttpMetrics,
  registerQueueDepth,
  registerRollupCacheMetrics,
} from './plugins/metrics.ts';
import { registerOpenApi } from './plugins/openapi.ts';
import { registerRateLimit } from './plugins/rate-limit.ts';
import { registerRequestLog, requestIdFrom } from './plugins/request-log.ts';
import { registerCors, registerSecurityHeaders } from './plugins/security.ts';
import { typeboxValidator } from './plugins/validator.ts';
import { eventsRoute } from './routes/events.route.ts';
import { fleetRoutes } from './routes/fleet.route.ts';
import { healthRoutes } from './routes/health.route.ts';
import { keysRoutes } from './routes/keys.route.ts';
import { liveRoute } from './routes/live.route.ts';
import { metricsRoute } from './routes/metrics.route.ts';
import { nodesRoute } from './routes/nodes.route.ts';
import { pushRoute } from './routes/push.route.ts';
import { regionsRoute } from './routes/regions.route.ts';
import { staticRoutes } from './routes/static.route.ts';
import { statusRoute } from './routes/status.route.ts';
import { createKeyCache } from './services/key-cache.ts';
import { createRollupCache } from './services/rollup-cache.ts';

/**
 * The API as a Fastify instance, ready for `inject` or `listen` (the caller listens).
 * No side effects beyond the instance: deps are built and closed by the caller.
 */
export async function buildApi(deps: ApiDeps, config: ApiConfig): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    // One summary line per request is written by plugins/request-log.ts instead.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    bodyLimit: Limits.bodyBytes,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  app.setValidatorCompiler(typeboxValidator);
  app.decorateRequest('nodeId', '');

  const metrics = createMetrics(deps.registry);
  registerQueueDepth(metrics.registry, deps.queue);

  registerErrorHandler(app as unknown as FastifyInstance);
  registerRequestLog(app as unknown as FastifyInstance);
  registerSecurityHeaders(app as unknown as FastifyInstance);
  registerJsonParser(app as unknown as FastifyInstance, Limits.bodyBytes);
  registerBodyDecoding(app as unknown as FastifyInstance, Limits.bodyBytes);
  await registerCors(app as unknown as FastifyInstance, config.corsOrigins);
  await registerRateLimit(app as unknown as FastifyInstance, config.rateLimit, deps.rateLimitRedis);
  await registerOpenApi(app as unknown as FastifyInstance, deps.version);
  registerHttpMetrics(app as unknown as FastifyInstance, metrics);

  healthRoutes(app, deps);
  const keyCache = createKeyCache(deps.db, { ...config.keyCache, maxEntries: 100_000 });
  pushRoute(app, deps, config, metrics, keyCache);
  const rollupCache = createRollupCache(deps.db, { ...config.rollupCache, now: deps.now });
  registerRollupCacheMetrics(metrics.registry, rollupCache.stats);
  metricsRoute(app, deps, rollupCache);
  nodesRoute(app, deps);
  statusRoute(app, deps);
  keysRoutes(app, deps, keyCache);
  fleetRoutes(app, deps);
  regionsRoute(app, deps, rollupCache);
  eventsRoute(app, deps);
  liveRoute(app, deps);
  if (deps.dashboardDir) await staticRoutes(app, deps.dashboardDir);

  await app.ready();
  return app as unknown as FastifyInstance;
}
