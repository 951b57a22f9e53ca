export { openPglite, type PgliteOptions } from './clients/pglite.ts';
export { openPostgres, type PostgresOptions } from './clients/postgres.ts';
export { type DemoDataSet, type DemoOptions, generateDemoData } from './demo/demo-data.ts';
export { DEMO_PROBES, type DemoProbe } from './demo/demo-probes.ts';
export { type DemoState, demoState } from './demo/demo-state.ts';
export { type DemoLoadResult, loadDemoData } from './demo/load-demo.ts';
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
export {
  createFleetStateCache,
  type FleetBody,
  type FleetOptions,
  type FleetStateCache,
  type NodeRange,
  queryFleet,
  queryFleetBody,
  queryFleetJson,
  queryHttpPhases,
  queryNodeTargets,
} from './queries/fleet.ts';
export * from './queries/inbox.ts';
export { type LoadResult, loadSamples } from './queries/load-samples.ts';
export {
  type MaintenanceOptions,
  type MaintenanceResult,
  maintainTables,
} from './queries/maintenance.ts';
export { type MetricsFilter, queryBucketedJson, queryMetrics, queryRollupJson } from './queries/metrics.ts';
export { listNodes } from './queries/nodes.ts';
export { type RefreshOptions, type RefreshResult, refreshRollups } from './queries/refresh-rollups.ts';
export {
  type Groups,
  type GroupsFilter,
  queryGroupSeries,
  queryGroups,
  queryGroupsJson,
} from './queries/regions.ts';
export { applyRetention, type RetentionPolicy, type RetentionResult } from './queries/retention.ts';
export { readRollupGeneration } from './queries/rollup-generation.ts';
export { readWatermark, type Watermark } from './queries/watermark.ts';
export type * from './types.ts';
