import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  blueprintSample,
  isProblem4xx,
  MODES,
  printFigures,
  type SecApi,
  startSecApi,
  tally,
} from './support.ts';

/**
 * S21: 200 writes with fields the caller must not set (owner_id, is_admin, api_key_hash, the key
 * row's own columns, queue-entry fields) on every write route: POST /api/keys (admin), POST
 * /api/push (probe), and PATCH/PUT on a key (no such routes). All 400 or 404 problem+json; the
 * api_keys rows are unchanged (every column but last_used_at) and nothing is queued.
 */
const EXTRA: Record<string, unknown> = {
  owner_id: 'attacker',
  is_admin: true,
  api_key_hash: '0'.repeat(64),
  hash: '0'.repeat(64),
  prefix: 'AAAAAAAA',
  id: '00000000-0000-0000-0000-000000000000',
  revoked_at: null,
  created_at: '2000-01-01T00:00:00Z',
  last_used_at: '2000-01-01T00:00:00Z',
  key: 'fsk_AAAAAAAA_0000000000000000000000000000000000000000',
  role: 'admin',
  message_id: '00000000-0000-0000-0000-000000000000',
  received_at: 0,
  v: 99,
};

describe.each(MODES)('S21 mass assignment (%s mode)', (mode) => {
  let api: SecApi;
  let key: string;
  let keyId: string;
  beforeAll(async () => {
    api = await startSecApi(mode);
    ({ key, id: keyId } = await api.createKey('probe-gh-accra-01'));
  });
  afterAll(async () => api?.close());

  // Every column a caller could try to set (last_used_at moves on each authenticated push).
  const snapshot = async () =>
    JSON.stringify(
      (
        await api.db.query(
          'SELECT id, node_id, prefix, hash, label, created_at, revoked_at FROM api_keys ORDER BY id',
        )
      ).rows,
    );

  it('answers 200 writes with extra fields 400/404 and changes no row', async () => {
    const fields = Object.entries(EXTRA);
    const requests: {
      name: string;
      method: 'POST' | 'PATCH' | 'PUT';
      url: string;
      auth: string;
      payload: unknown;
      expect: number;
    }[] = [];
    for (let i = 0; requests.length < 200; i++) {
      const [field, value] = fields[i % fields.length] as [string, unknown];
      const extra = { [field]: value };
      const kind = Math.floor(i / fields.length) % 5;
      if (kind === 0)
        requests.push({
          name: `keys +${field}`,
          method: 'POST',
          url: '/api/keys',
          auth: ADMIN_TOKEN,
          payload: { node_id: 'probe-x', ...extra },
          expect: 400,
        });
      else if (kind === 1)
        requests.push({
          name: `push +${field}`,
          method: 'POST',
          url: '/api/push',
          auth: key,
          payload: blueprintSample(extra),
          expect: 400,
        });
      else if (kind === 2)
        requests.push({
          name: `batch envelope +${field}`,
          method: 'POST',
          url: '/api/push',
          auth: key,
          payload: { samples: [blueprintSample()], ...extra },
          expect: 400,
        });
      else if (kind === 3)
        requests.push({
          name: `PATCH key +${field}`,
          method: 'PATCH',
          url: `/api/keys/${keyId}`,
          auth: ADMIN_TOKEN,
          payload: extra,
          expect: 404,
        });
      else
        requests.push({
          name: `PUT key +${field}`,
          method: 'PUT',
          url: `/api/keys/${keyId}`,
          auth: ADMIN_TOKEN,
          payload: { node_id: 'probe-x', ...extra },
          expect: 404,
        });
    }
    const before = await api.state();
    const keysBefore = await snapshot();
    const statuses: number[] = [];
    const bad: string[] = [];
    for (const r of requests) {
      const res = await api.app.inject({
        method: r.method,
        url: r.url,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${r.auth}` },
        payload: JSON.stringify(r.payload),
      });
      statuses.push(res.statusCode);
      if (res.statusCode !== r.expect || !isProblem4xx(res)) bad.push(`${r.name}: ${res.statusCode}`);
    }
    const after = await api.state();
    const keysAfter = await snapshot();
    printFigures('S21', {
      mode,
      requests: requests.length,
      statuses: tally(statuses),
      fields: Object.keys(EXTRA),
      api_keys_unchanged: keysAfter === keysBefore,
      state_before: before,
      state_after: after,
      unexpected: bad.slice(0, 5),
    });
    expect(requests).toHaveLength(200);
    expect(bad).toEqual([]);
    expect(keysAfter).toBe(keysBefore);
    expect(after).toEqual(before);

    // Control: the same admin write without the extra field creates exactly one key.
    const ok = await api.app.inject({
      method: 'POST',
      url: '/api/keys',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      payload: { node_id: 'probe-x' },
    });
    expect(ok.statusCode).toBe(201);
    expect((await api.state()).api_keys).toBe(before.api_keys + 1);
  });
});
