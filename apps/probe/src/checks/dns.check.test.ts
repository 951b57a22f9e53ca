import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnsCheck } from './dns.check.ts';
import { makeTarget } from './make-target.ts';

/** A minimal authoritative DNS responder on 127.0.0.1: `probe.test` A 127.0.0.1, else NXDOMAIN. */
let dns: Socket;
let port: number;
let queries = 0;

function answer(query: Buffer): Buffer {
  let off = 12;
  const labels: string[] = [];
  while (query[off]! > 0) {
    labels.push(query.subarray(off + 1, off + 1 + query[off]!).toString('ascii'));
    off += query[off]! + 1;
  }
  const question = query.subarray(12, off + 5);
  const qtype = query.readUInt16BE(off + 1);
  const known = labels.join('.').toLowerCase() === 'probe.test';
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  header.writeUInt16BE(known ? 0x8400 : 0x8403, 2); // response, authoritative, rcode 0 / 3
  header.writeUInt16BE(1, 4);
  const withAnswer = known && qtype === 1;
  header.writeUInt16BE(withAnswer ? 1 : 0, 6);
  if (!withAnswer) return Buffer.concat([header, question]);
  const rr = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]);
  return Buffer.concat([header, question, rr]);
}

beforeAll(async () => {
  dns = createSocket('udp4');
  dns.on('message', (msg, rinfo) => {
    queries++;
    dns.send(answer(msg), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => dns.bind(0, '127.0.0.1', r));
  port = dns.address().port;
});
afterAll(() => new Promise<void>((r) => dns.close(() => r())));

describe('dns check', () => {
  it('resolves localhost through the system resolver', async () => {
    const r = await dnsCheck.run(makeTarget('dns', 'localhost'), AbortSignal.timeout(2000));
    expect(r).toMatchObject({ ok: true, reachable: true });
    expect(r.rtts[0]).toBeGreaterThanOrEqual(0);
  });

  it('times a query to a named resolver', async () => {
    const t = makeTarget('dns', 'probe.test', { dns: { resolver: `127.0.0.1:${port}` } });
    const before = queries;
    const r = await dnsCheck.run(t, AbortSignal.timeout(2000));
    expect(r).toMatchObject({ ok: true, reachable: true });
    expect(r.rtts[0]).toBeLessThan(200);
    expect(queries).toBe(before + 1);
  });

  it('reports NXDOMAIN as an answered failure', async () => {
    const t = makeTarget('dns', 'nope.test', { dns: { resolver: `127.0.0.1:${port}` } });
    expect(await dnsCheck.run(t, AbortSignal.timeout(2000))).toMatchObject({
      ok: false,
      reachable: true,
      error: 'ENOTFOUND',
    });
  });

  it('times out against a resolver that never answers', async () => {
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    const t = makeTarget('dns', 'probe.test', {
      timeout_ms: 200,
      dns: { resolver: `127.0.0.1:${silent.address().port}` },
    });
    const r = await dnsCheck.run(t, AbortSignal.timeout(1000));
    await new Promise<void>((r2) => silent.close(() => r2()));
    expect(r).toMatchObject({ ok: false, reachable: false, error: 'timeout' });
  });
});
