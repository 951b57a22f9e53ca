export { type FaultProxy, type FaultProxyOptions, startFaultProxy } from './fault-proxy.ts';
export { freePort, waitUntil } from './free-port.ts';
export { createOracle, type Oracle, type OracleResult, type OracleSample, type SeriesKey } from './oracle.ts';
export { createTestDatabase, TEST_PG_URL, type TestDatabase } from './pg.ts';
export {
  PG_BIN,
  type PostgresServer,
  type PostgresServerOptions,
  startPostgresServer,
} from './postgres-server.ts';
export { type RedisServer, type RedisServerOptions, startRedisServer } from './redis-server.ts';
