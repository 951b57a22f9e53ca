import './fastify-types.ts';

export { buildApi } from './app.ts';
export { type ApiConfig, DEV_API_KEY_SECRET, loadApiConfig } from './config.ts';
export type { ApiDeps, Mode } from './deps.ts';
export { ApiError, ErrorCatalogue, type ErrorCode } from './errors.ts';
export { type ApiMetrics, createMetrics, registerQueueDepth } from './plugins/metrics.ts';
export { generateApiKey, hashApiKey } from './services/api-keys.ts';
