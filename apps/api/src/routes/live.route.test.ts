import { get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadSamples, type SampleRow } from '@fiberstack/db';
import { sampleRow } from '@fiberstack/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../test-support/harness.ts';

const row = (node_id: string, time: Date): SampleRow =>
  sampleRow({ node_id, time, region: 'Ghana', latency_ms: 10 });

interface Stream {
  res: IncomingMessage;
  text: () => string;
  until: (needle: string, ms?: number) => Promise<void>;
}

function open(url: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
      });
      const until = async (needle: string, ms = 5000) => {
        const deadline = Date.now() + ms;
        while (!buf.includes(needle)) {
          if (Date.now() > deadline) throw new Error(`no '${needle}' in ${JSON.stringify(buf)}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      resolve({ res, text: () => buf, until });
    });
    req.on('error', reject);
  });
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function listen(): Promise<string> {
  h = await startHarness();
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
}

describe('GET /api/live', () => {
  it('sends hello, then an update naming the node whose samples arrived', async () => {
    const base = await listen();
    const s = await open(`${base}/api/live`);
    expect(s.res.statusCode).toBe(200);
    expect(s.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(s.res.headers['cache-control']).toBe('no-store');
    await s.until('event: hello');
    await loadSamples(h!.db, [row('probe-live-01', new Date())]);
    await s.until('event: update', 4000);
    const update = s.text().split('event: update\ndata: ')[1]!.split('\n')[0]!;
    expect(JSON.parse(update)).toMatchObject({ nodes: ['probe-live-01'] });
    s.res.destroy();
  });

  it('ends open streams when the server closes, so close() does not hang', async () => {
    const base = await listen();
    const a = await open(`${base}/api/live`);
    const b = await open(`${base}/api/live`);
    await a.until('event: hello');
    const ended = Promise.all([a, b].map((s) => new Promise((r) => s.res.on('end', r))));
    const started = Date.now();
    await h!.close();
    h = undefined;
    await ended;
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
