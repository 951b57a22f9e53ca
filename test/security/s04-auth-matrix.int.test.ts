import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  blueprintSample,
  countIn,
  isProblem4xx,
  MODES,
  percentile,
  printFigures,
  type SecApi,
  startSecApi,
  tally,
} from './support.ts';

/**
 * S4: the authentication matrix on POST /api/push. Every credential that is absent, malformed,
 * altered, revoked, misplaced or bound to another node gets 401/403 problem+json; nothing is
 * queued; no key secret (nor the admin token) ever appears in the logs. FiberStack keys do not
 * expire (they are rotated by creating a new key and revoking the old one), so "expired" is the
 * revoked case here.
 */
const COUNTS: Record<string, number> = { production: 10_000, embedded: 2_000 };
const NODE_A = 'probe-gh-accra-01';
const NODE_B = 'probe-ke-nairobi-01';

type Case = { name: string; expect: 401 | 403; url?: string; headers: Record<string, string> };

describe.each(MODES)('S4 auth matrix (%s mode)', (mode) => {
  let api: SecApi;
  let keyA: string;
  let keyB: string;
  let revoked: string;
  beforeAll(async () => {
    api = await startSecApi(mode);
    keyA = (await api.createKey(NODE_A)).key;
    keyB = (await api.createKey(NODE_B)).key;
    const doomed = await api.createKey(NODE_A);
    revoked = doomed.key;
    const del = await api.app.inject({
      method: 'DELETE',
      url: `/api/keys/${doomed.id}`,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(del.statusCode).toBe(204);
  });
  afterAll(async () => api?.close());

  it('answers every bad credential 401/403, queues nothing and logs no secret', async () => {
    const json = { 'content-type': 'application/json' };
    const secretA = keyA.slice(13);
    const prefixB = keyB.slice(4, 12);
    const flip = (c: string) => (c === 'a' ? 'b' : 'a');
    const cases: Case[] = [
      { name: 'no key', expect: 401, headers: json },
      { name: 'empty bearer', expect: 401, headers: { ...json, authorization: 'Bearer ' } },
      { name: 'empty header', expect: 401, headers: { ...json, authorization: '' } },
      { name: 'malformed', expect: 401, headers: { ...json, authorization: 'Bearer not-a-key' } },
      { name: 'basic auth', expect: 401, headers: { ...json, authorization: `Basic ${btoa(`x:${keyA}`)}` } },
      { name: 'no scheme', expect: 401, headers: { ...json, authorization: keyA } },
      {
        name: 'wrong key prefix',
        expect: 401,
        headers: { ...json, authorization: `Bearer fsx_${keyA.slice(4)}` },
      },
      {
        name: 'unknown key id',
        expect: 401,
        headers: { ...json, authorization: `Bearer fsk_ZZZZZZZZ_${secretA}` },
      },
      {
        name: "other key's id",
        expect: 401,
        headers: { ...json, authorization: `Bearer fsk_${prefixB}_${secretA}` },
      },
      {
        name: 'altered last character',
        expect: 401,
        headers: { ...json, authorization: `Bearer ${keyA.slice(0, -1)}${flip(keyA.slice(-1))}` },
      },
      {
        name: 'truncated secret',
        expect: 401,
        headers: { ...json, authorization: `Bearer ${keyA.slice(0, -8)}` },
      },
      { name: 'secret with suffix', expect: 401, headers: { ...json, authorization: `Bearer ${keyA}x` } },
      { name: 'trailing garbage', expect: 401, headers: { ...json, authorization: `Bearer ${keyA} extra` } },
      { name: 'revoked', expect: 401, headers: { ...json, authorization: `Bearer ${revoked}` } },
      {
        name: 'revoked, lowercase scheme',
        expect: 401,
        headers: { ...json, authorization: `bearer ${revoked}` },
      },
      {
        name: 'admin token as probe key',
        expect: 401,
        headers: { ...json, authorization: `Bearer ${ADMIN_TOKEN}` },
      },
      { name: "other probe's key", expect: 403, headers: { ...json, authorization: `Bearer ${keyB}` } },
      { name: 'key in query (api_key)', expect: 401, url: `/api/push?api_key=${keyA}`, headers: json },
      {
        name: 'key in query (access_token)',
        expect: 401,
        url: `/api/push?access_token=${keyA}`,
        headers: json,
      },
      { name: 'key in X-API-Key', expect: 401, headers: { ...json, 'x-api-key': keyA } },
      { name: 'key in cookie', expect: 401, headers: { ...json, cookie: `fs_key=${keyA}` } },
    ];
    const total = COUNTS[mode] ?? 1000;
    const before = await api.state();
    const statuses: number[] = [];
    const latencies: number[] = [];
    const byCase: Record<string, Record<string, number>> = {};
    const bad: string[] = [];
    for (let i = 0; i < total; i++) {
      const c = cases[i % cases.length] as Case;
      const t0 = performance.now();
      const res = await api.app.inject({
        method: 'POST',
        url: c.url ?? '/api/push',
        headers: c.headers,
        payload: JSON.stringify(blueprintSample()),
      });
      latencies.push(performance.now() - t0);
      statuses.push(res.statusCode);
      countIn(byCase, c.name, res.statusCode);
      if (res.statusCode !== c.expect || !isProblem4xx(res)) bad.push(`${c.name}: ${res.statusCode}`);
    }
    const after = await api.state();
    const logs = api.logText();
    const secrets = [keyA, keyB, revoked, ADMIN_TOKEN].flatMap((k) => [k, k.slice(13)]);
    const leaks = secrets.filter((s) => logs.includes(s));
    printFigures('S4', {
      mode,
      requests: total,
      cases: cases.length,
      statuses: tally(statuses),
      by_case: byCase,
      p50_ms: percentile(latencies, 50),
      p99_ms: percentile(latencies, 99),
      log_bytes: logs.length,
      secret_occurrences_in_logs: leaks.length,
      state_before: before,
      state_after: after,
      unexpected: [...new Set(bad)].slice(0, 10),
    });
    expect(bad).toEqual([]);
    expect(after).toEqual(before);
    expect(leaks).toEqual([]);
    expect(logs.length).toBeGreaterThan(0);

    // Control: key A for node A is accepted and queued.
    const ok = await api.app.inject({
      method: 'POST',
      url: '/api/push',
      headers: { ...json, authorization: `Bearer ${keyA}` },
      payload: JSON.stringify(blueprintSample()),
    });
    expect(ok.statusCode).toBe(202);
    expect((await api.state()).queued).toBe(before.queued + 1);
  }, 300_000);
});
