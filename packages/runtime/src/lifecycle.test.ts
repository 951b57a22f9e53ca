import { Writable } from 'node:stream';
import { createLogger } from '@fiberstack/logging';
import { describe, expect, it } from 'vitest';
import { Lifecycle } from './lifecycle.ts';

describe('Lifecycle', () => {
  it('starts in order and stops in reverse order', async () => {
    const calls: string[] = [];
    const lc = new Lifecycle();
    for (const name of ['db', 'queue', 'http'])
      lc.add(name, {
        start: () => void calls.push(`start ${name}`),
        stop: () => void calls.push(`stop ${name}`),
      });
    await lc.start();
    await lc.stop();
    expect(calls).toEqual(['start db', 'start queue', 'start http', 'stop http', 'stop queue', 'stop db']);
    expect(lc.state).toBe('stopped');
  });

  it('is idempotent: concurrent and repeated stops run each stop once', async () => {
    let stops = 0;
    const lc = new Lifecycle().add('x', { stop: async () => void stops++ });
    await lc.start();
    const a = lc.stop();
    const b = lc.stop();
    expect(a).toBe(b);
    await Promise.all([a, b, lc.stop()]);
    await lc.stop();
    expect(stops).toBe(1);
  });

  it('moves on when one stop exceeds its timeout or throws', async () => {
    const calls: string[] = [];
    const errors: string[] = [];
    const lc = new Lifecycle({ stopTimeoutMs: 50, onStopError: (name) => errors.push(name) })
      .add('first', { stop: () => void calls.push('first') })
      .add('broken', {
        stop: () => {
          throw new Error('boom');
        },
      })
      .add('slow', { stop: () => new Promise<void>((r) => setTimeout(r, 5_000).unref()) });
    await lc.start();
    const t0 = Date.now();
    await lc.stop();
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(errors).toEqual(['slow', 'broken']);
    expect(calls).toEqual(['first']);
  });

  it('stops what started when a later start fails, and stops nothing that never started', async () => {
    const calls: string[] = [];
    const lc = new Lifecycle()
      .add('a', { stop: () => void calls.push('stop a') })
      .add('b', {
        start: () => {
          throw new Error('no port');
        },
        stop: () => void calls.push('stop b'),
      })
      .add('c', { stop: () => void calls.push('stop c') });
    await expect(lc.start()).rejects.toThrow(/component b failed to start/);
    expect(calls).toEqual(['stop a']);
  });

  it('accepts a logger and notifies onStopped listeners once stopped', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      service: 'test',
      level: 'debug',
      destination: new Writable({
        write: (c: Buffer, _e, cb) => {
          lines.push(c.toString());
          cb();
        },
      }),
    });
    const lc = new Lifecycle(logger).add('db', { stop: () => {} });
    let notified = 0;
    lc.onStopped(() => notified++);
    await lc.start();
    await lc.stop();
    lc.onStopped(() => notified++);
    expect(notified).toBe(2);
    expect(lines.join('')).toContain('"component":"db"');
  });

  it('refuses to add components after start', async () => {
    const lc = new Lifecycle();
    await lc.start();
    expect(() => lc.add('late', { stop: () => {} })).toThrow();
    await lc.stop();
  });
});
