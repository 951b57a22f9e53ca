import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { createLogger } from '@fiberstack/logging';
import { describe, expect, it } from 'vitest';
import { Lifecycle } from './lifecycle.ts';
import { installSignalHandlers } from './signals.ts';

const silent = createLogger({
  service: 'test',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

function setup(stop: () => Promise<void>) {
  const target = new EventEmitter();
  const codes: number[] = [];
  const lc = new Lifecycle().add('slow', { stop });
  const exited = new Promise<void>((resolve) => {
    const uninstall = installSignalHandlers(lc, silent, {
      target: target as unknown as NodeJS.Process,
      exit: (code) => {
        codes.push(code);
        if (code === 0 || codes.length > 1) {
          uninstall();
          resolve();
        }
      },
    });
  });
  return { target, codes, lc, exited };
}

describe('installSignalHandlers', () => {
  it('stops gracefully on the first SIGTERM and exits 0', async () => {
    let stopped = false;
    const s = setup(async () => {
      stopped = true;
    });
    await s.lc.start();
    s.target.emit('SIGTERM', 'SIGTERM');
    await s.exited;
    expect(stopped).toBe(true);
    expect(s.codes).toEqual([0]);
  });

  it('exits 1 at once on a second signal while stopping', async () => {
    let release = () => {};
    const s = setup(() => new Promise<void>((r) => (release = r)));
    await s.lc.start();
    s.target.emit('SIGINT', 'SIGINT');
    s.target.emit('SIGTERM', 'SIGTERM');
    expect(s.codes).toEqual([1]);
    await new Promise((r) => setImmediate(r));
    release();
    await s.exited;
    expect(s.codes).toEqual([1, 0]);
  });
});
