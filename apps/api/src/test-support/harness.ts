import { Writable } from 'node:stream';
import type { QueueEntry } from '@fiberstack/contracts';
import { type Db, migrate, openPglite } from '@fiberstack/db';
import { createLogger } from '@fiberstack/logging';
import { createEmbeddedQueue, type Queue } from '@fiberstack/queue';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../app.ts';
import { loadApiConfig } from '../config.ts';
import type { ApiDeps } from '../deps.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const API_KEY_SECRET = 'test-api-key-secret-0123456789abcdef';

export const blueprintSample = (overrides: Record<string, unknown> = {}) => ({
  node_id: 'probe-gh-accra-01',
  country: 'GH',
  region: 'Ghana',
  latency_ms: 45.2,
  uptime_pct: 99.5,
  packet_loss: 0.1,
  timestamp: new Date().toISOString(),
  ...overrides,
});

export interface Harness {
  app: FastifyInstance;
  db: Db;
  queue: Queue;
  /** Every log line written so far, raw. */
  logText(): string;
  /** Creates a probe key through the admin route. */
  createKey(node_id: string): Promise<{ id: string; key: string }>;
  /** Reads and acks everything queued so far; returns the entries. */
  drain(): Promise<QueueEntry[]>;
  /** Entries waiting in the real queue. */
  depth(): Promise<number>;
  close(): Promise<void>;
}

/** A real API on an in-memory PGlite (migrated) and the real embedded queue. */
export async function startHarness(
  env: Record<string, string> = {},
  overrides: Partial<ApiDeps> = {},
): Promise<Harness> {
  const db = await openPglite();
  await migrate(db);
  const queue = createEmbeddedQueue({ db });
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = createLogger({ service: 'api', version: 'test', level: 'debug', destination });
  const config = loadApiConfig({ ENV: 'test', ...env });
  const app = await buildApi(
    {
      db,
      queue,
      logger,
      adminToken: ADMIN_TOKEN,
      apiKeySecret: API_KEY_SECRET,
      mode: 'embedded',
      version: '0.1.0',
      ...overrides,
    },
    config,
  );
  return {
    app,
    db,
    queue,
    logText: () => chunks.join(''),
    async createKey(node_id) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/keys',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        payload: { node_id, label: 'test' },
      });
      if (res.statusCode !== 201) throw new Error(`createKey: ${res.statusCode} ${res.body}`);
      return res.json<{ id: string; key: string }>();
    },
    async drain() {
      const deliveries = await queue.read({ consumer: 'test', max: 1000, blockMs: 0 });
      await queue.ack(deliveries.map((d) => d.id));
      return deliveries.flatMap((d) => (d.entry ? [d.entry] : []));
    },
    depth: async () => (await queue.stats()).depth,
    async close() {
      await app.close();
      await queue.close();
      await db.close();
    },
  };
}
