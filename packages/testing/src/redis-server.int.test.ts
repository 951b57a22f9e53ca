import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedisServer } from './redis-server.ts';

const started: RedisServer[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

async function withClient<T>(url: string, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('startRedisServer', () => {
  it('runs a throwaway server that answers on its own port', async () => {
    const server = await startRedisServer();
    started.push(server);
    expect(server.port).not.toBe(6379);
    expect(await withClient(server.url, (r) => r.config('GET', 'save'))).toEqual(['save', '']);
  });

  it('keeps AOF data across kill -9 and restart', async () => {
    const server = await startRedisServer({ appendonly: true, appendfsync: 'always', maxmemory: '32mb' });
    started.push(server);
    await withClient(server.url, (r) => r.set('k', 'v'));
    const pid = server.pid;
    await server.kill();
    expect(alive(pid)).toBe(false);
    await server.restart();
    expect(server.pid).not.toBe(pid);
    expect(await withClient(server.url, (r) => r.get('k'))).toBe('v');
    expect(await withClient(server.url, (r) => r.config('GET', 'maxmemory'))).toEqual([
      'maxmemory',
      String(32 * 1024 * 1024),
    ]);
  });

  it('stops the process and removes its dir', async () => {
    const server = await startRedisServer();
    const pid = server.pid;
    await server.stop();
    await server.stop();
    expect(alive(pid)).toBe(false);
    const { existsSync } = await import('node:fs');
    expect(existsSync(server.dir)).toBe(false);
  });
});
