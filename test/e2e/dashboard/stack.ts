import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildApi, loadApiConfig } from '@fiberstack/api';
import { type Db, migrate, openPglite } from '@fiberstack/db';
import { createEtlWorker, createScheduler, loadEtlConfig } from '@fiberstack/etl';
import { createLogger } from '@fiberstack/logging';
import { createEmbeddedQueue, type Queue } from '@fiberstack/queue';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium } from 'playwright-core';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const DIST = join(ROOT, 'apps', 'dashboard', 'dist');
export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';
const SECRET = 'e2e-api-key-secret-0123456789abcdef';

/** Builds the dashboard once when dist/ is missing (CI: a fresh clone). */
export function ensureDashboardBuilt(): void {
  if (existsSync(join(DIST, 'index.html')) && process.env.DASHBOARD_REBUILD !== '1') return;
  execFileSync('npm', ['run', 'build', '-w', '@fiberstack/dashboard'], { cwd: ROOT, stdio: 'ignore' });
}

export interface Stack {
  base: string;
  db: Db;
  queue: Queue;
  /** Stops the HTTP API only (database, queue and ETL keep running). */
  stopApi(): Promise<void>;
  /** Starts a new API on the same port. */
  startApi(): Promise<void>;
  pushKey(nodeId: string): Promise<string>;
  push(key: string, samples: Record<string, unknown>[]): Promise<number>;
  close(): Promise<void>;
}

/**
 * The real system in-process: PGlite (migrated), embedded queue, ETL worker, rollup scheduler
 * (1 s) and the API serving the built dashboard on a free port.
 */
export async function startStack(opts: { db?: Db } = {}): Promise<Stack> {
  ensureDashboardBuilt();
  const db = opts.db ?? (await openPglite());
  await migrate(db);
  const queue = createEmbeddedQueue({ db });
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const logger = createLogger({ service: 'e2e', version: 'test', level: 'warn', destination: sink });
  const env = { ENV: 'test', ETL_ROLLUP_INTERVAL_S: '1', ETL_BLOCK_MS: '200', RATE_LIMIT_ENABLED: 'false' };
  const etlConfig = loadEtlConfig(env);
  const worker = createEtlWorker({ db, queue, logger }, etlConfig);
  const scheduler = createScheduler({ db, logger }, etlConfig);
  await worker.start();
  await scheduler.start();
  let app: FastifyInstance | null = null;
  let port = 0;
  const startApi = async () => {
    app = await buildApi(
      {
        db,
        queue,
        logger,
        adminToken: ADMIN_TOKEN,
        apiKeySecret: SECRET,
        mode: 'embedded',
        version: 'e2e',
        dashboardDir: DIST,
      },
      loadApiConfig(env),
    );
    await app.listen({ port, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  };
  await startApi();
  const base = () => `http://127.0.0.1:${port}`;
  return {
    get base() {
      return base();
    },
    db,
    queue,
    stopApi: async () => {
      await app?.close();
      app = null;
    },
    startApi,
    async pushKey(nodeId) {
      const res = await fetch(`${base()}/api/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ node_id: nodeId }),
      });
      if (res.status !== 201) throw new Error(`key: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { key: string }).key;
    },
    async push(key, samples) {
      const res = await fetch(`${base()}/api/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ samples }),
      });
      if (res.status !== 202) throw new Error(`push: ${res.status} ${await res.text()}`);
      return res.status;
    },
    async close() {
      await app?.close();
      await scheduler.stop();
      await worker.stop();
      await queue.close();
      await db.close();
    },
  };
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A probe sample `minutesAgo` before now (whole seconds). */
export function sample(nodeId: string, minutesAgo: number, fields: Record<string, unknown> = {}) {
  const t = Math.floor((Date.now() - minutesAgo * 60_000) / 1000) * 1000;
  return {
    node_id: nodeId,
    country: 'GH',
    region: 'Greater Accra',
    latency_ms: 30 + (minutesAgo % 7),
    uptime_pct: 100,
    packet_loss: 0,
    timestamp: new Date(t).toISOString(),
    target: '1.1.1.1',
    check: 'icmp',
    ...fields,
  };
}

export async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
