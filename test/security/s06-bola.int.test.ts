import type { QueueEntry } from '@fiberstack/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blueprintSample,
  isProblem4xx,
  MODES,
  printFigures,
  type SecApi,
  startSecApi,
  tally,
} from './support.ts';

/**
 * S6: object-level authorisation. A probe key is bound to one node_id: 1 000 pushes with key A
 * naming node B (single samples, batches of B only) are 403 and queue nothing; mixed batches
 * queue A's samples only. Probe keys own nothing else: 1 000 attempts with key A to read, mint
 * or revoke keys (the only owned objects besides samples) are 401. The read routes (fleet,
 * metrics, nodes, …) carry no per-owner data: FiberStack is single-tenant, see docs/security.md.
 */
const NODE_A = 'probe-gh-accra-01';
const NODE_B = 'probe-ke-nairobi-01';
const PUSHES = 1_000;
const ADMIN_ATTEMPTS = 1_000;

describe.each(MODES)('S6 BOLA (%s mode)', (mode) => {
  let api: SecApi;
  let keyA: string;
  let keyB: { id: string; key: string };
  beforeAll(async () => {
    api = await startSecApi(mode);
    keyA = (await api.createKey(NODE_A)).key;
    keyB = await api.createKey(NODE_B);
  });
  afterAll(async () => api?.close());

  const drain = async (): Promise<QueueEntry[]> => {
    const out: QueueEntry[] = [];
    for (;;) {
      const deliveries = await api.queue.read({ consumer: 'security', max: 1000, blockMs: 0 });
      if (deliveries.length === 0) return out;
      await api.queue.ack(deliveries.map((d) => d.id));
      for (const d of deliveries) if (d.entry) out.push(d.entry);
    }
  };

  it(`answers ${PUSHES} pushes for another node 403 and queues nothing for it`, async () => {
    const before = await api.state();
    const statuses: number[] = [];
    const bad: string[] = [];
    const b = (i: number) => blueprintSample({ node_id: NODE_B, seq: i });
    for (let i = 0; i < PUSHES; i++) {
      const payload = i % 2 === 0 ? b(i) : { samples: [b(i), b(i + 1), b(i + 2)] };
      const res = await api.app.inject({
        method: 'POST',
        url: '/api/push',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${keyA}` },
        payload,
      });
      statuses.push(res.statusCode);
      if (res.statusCode !== 403 || !isProblem4xx(res) || res.json().code !== 'FS_ERR_AUTH_NODE_MISMATCH')
        bad.push(`${i}: ${res.statusCode}`);
    }
    const after = await api.state();

    // Mixed batches: A's samples queued, B's rejected one by one.
    const mixed = [];
    for (let i = 0; i < 20; i++) {
      const res = await api.app.inject({
        method: 'POST',
        url: '/api/push',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${keyA}` },
        payload: { samples: [blueprintSample({ seq: i }), b(i)] },
      });
      mixed.push(res.statusCode);
      expect(res.json()).toMatchObject({
        accepted: 1,
        rejected: [{ index: 1, code: 'FS_ERR_AUTH_NODE_MISMATCH' }],
      });
    }
    const entries = await drain();
    const queuedNodes = tally(entries.flatMap((e) => e.samples.map((s) => (s.node_id === NODE_A ? 1 : 2))));
    printFigures('S6', {
      mode,
      part: 'push',
      requests: PUSHES,
      statuses: tally(statuses),
      mixed_batches: tally(mixed),
      queued_samples_node_a: queuedNodes[1] ?? 0,
      queued_samples_node_b: queuedNodes[2] ?? 0,
      state_before: before,
      state_after_foreign: after,
    });
    expect(bad).toEqual([]);
    expect(after).toEqual(before);
    expect(queuedNodes[2] ?? 0).toBe(0);
    expect(queuedNodes[1]).toBe(20);
  }, 120_000);

  it(`answers ${ADMIN_ATTEMPTS} key reads, mints and revocations with a probe key 401`, async () => {
    const before = await api.state();
    const attempts = [
      { method: 'GET' as const, url: '/api/keys' },
      { method: 'DELETE' as const, url: `/api/keys/${keyB.id}` },
      { method: 'POST' as const, url: '/api/keys', payload: { node_id: NODE_B } },
      { method: 'POST' as const, url: '/api/keys', payload: { node_id: NODE_A } },
    ];
    const statuses: number[] = [];
    const bad: string[] = [];
    for (let i = 0; i < ADMIN_ATTEMPTS; i++) {
      const a = attempts[i % attempts.length] as (typeof attempts)[number];
      const res = await api.app.inject({
        ...a,
        headers: { authorization: `Bearer ${i % 8 < 4 ? keyA : keyB.key}` },
      });
      statuses.push(res.statusCode);
      if (res.statusCode !== 401 || !isProblem4xx(res)) bad.push(`${a.method} ${a.url}: ${res.statusCode}`);
    }
    const after = await api.state();
    // B's key still works: nothing was revoked.
    const stillB = await api.app.inject({
      method: 'POST',
      url: '/api/push',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keyB.key}` },
      payload: blueprintSample({ node_id: NODE_B }),
    });
    printFigures('S6', {
      mode,
      part: 'admin objects with a probe key',
      requests: ADMIN_ATTEMPTS,
      statuses: tally(statuses),
      state_before: before,
      state_after: after,
      key_b_push_after: stillB.statusCode,
      unexpected: [...new Set(bad)].slice(0, 5),
    });
    expect(bad).toEqual([]);
    expect(after).toEqual(before);
    expect(stillB.statusCode).toBe(202);
  }, 120_000);
});
