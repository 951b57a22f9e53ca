export { openPglite, type PgliteOptions } from './clients/pglite.ts';
export { openPostgres, type PostgresOptions } from './clients/postgres.ts';
export { loadMigrations, MIGRATIONS_DIR, type Migration, migrate } from './migrate.ts';
export {
  type ApiKeyRow,
  findApiKeyByPrefix,
  insertApiKey,
  listApiKeys,
  type NewApiKey,
  revokeApiKey,
  touchApiKey,
} from './queries/api-keys.ts';
export { countSamples } from './queries/count-samples.ts';
export {
  type EventRow,
  type EventSearch,
  insertEvents,
  type NewEvent,
  searchEvents,
} from './queries/events.ts';
export * from './queries/inbox.ts';
export { type LoadResult, loadSamples } from './queries/load-samples.ts';
export { type MetricsFilter, queryMetrics } from './queries/metrics.ts';
export { listNodes } from './queries/nodes.ts';
export { type RefreshOptions, type RefreshResult, refreshRollups } from './queries/refresh-rollups.ts';
export { applyRetention, type RetentionPolicy, type RetentionResult } from './queries/retention.ts';
export type * from './types.ts';
