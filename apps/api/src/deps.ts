import type { Db } from '@fiberstack/db';
import type { Logger } from '@fiberstack/logging';
import type { Queue } from '@fiberstack/queue';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';

export type Mode = 'embedded' | 'production';

/** Everything the API needs from outside, built by main.ts (or the cli's all-in-one). */
export interface ApiDeps {
  db: Db;
  queue: Queue;
  logger: Logger;
  /** Bearer token for the admin routes; an empty string disables them (401). */
  adminToken: string;
  /** Pepper for API key hashes: hash = HMAC-SHA256(apiKeySecret, key). */
  apiKeySecret: string;
  mode: Mode;
  version: string;
  /** Built dashboard to serve at / (later). */
  dashboardDir?: string;
  /** Prometheus registry shared with the ETL in all-in-one mode; a new one when omitted. */
  registry?: Registry;
  /** Redis for rate-limit counters shared by every API replica; in-process counters when omitted. */
  rateLimitRedis?: Redis;
  /** Clock, injectable for tests. */
  now?: () => number;
}
