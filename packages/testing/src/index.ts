export { type AckLossProxy, startAckLossProxy } from './ack-loss-proxy.ts';
export { type FaultProxy, type FaultProxyOptions, startFaultProxy } from './fault-proxy.ts';
export { freePort, waitUntil } from './free-port.ts';
export { type LoadNode, type LoadOptions, type LoadRun, type LoadStats, startLoad } from './load.ts';
export { type NginxServer, nginxConfig, startNginx } from './nginx-server.ts';
export { createOracle, type Oracle, type OracleResult, type OracleSample, type SeriesKey } from './oracle.ts';
export { createTestDatabase, TEST_PG_URL, type TestDatabase } from './pg.ts';
export {
  PG_BIN,
  type PostgresServer,
  type PostgresServerOptions,
  startPostgresServer,
} from './postgres-server.ts';
export { type RedisServer, type RedisServerOptions, startRedisServer } from './redis-server.ts';
export {
  countLogLines,
  createNodes,
  pendingIds,
  printSummary,
  pushLatencyCounts,
  sumApiMetric,
  sumLogField,
  sumMetric,
  verdict,
  waitForLine,
  waitReclaimed,
} from './reliability.ts';
export {
  createRoleProcess,
  type ExitInfo,
  FIBERSTACK_BIN,
  type RoleProcess,
  runFiberstack,
} from './role-process.ts';
export { sampleRow } from './sample-row.ts';
export { type QueueState, startTopology, type Topology, type TopologyOptions } from './topology.ts';
