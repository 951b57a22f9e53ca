import { gzipSync } from 'node:zlib';
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
 * S23: 100 bodies carrying `__proto__` or `constructor.prototype` (plain or \u-escaped keys, at
 * the top, inside labels, inside a batch's sample, gzip-encoded, on the push and the admin
 * route). Every one is 400 problem+json, nothing is queued or written, and no object prototype in
 * the server process is polluted.
 */
const PROTO_KEYS = ['"__proto__"', '"\\u005f\\u005fproto\\u005f\\u005f"', '"__pro\\u0074o__"'];
const CTOR = (k: string) =>
  `{${k === 'a' ? '"constructor"' : '"\\u0063onstructor"'}:{"prototype":{"polluted":"yes"}}}`;

function bodies(): { name: string; route: 'push' | 'keys'; text: string; gzip: boolean }[] {
  const sample = JSON.stringify(blueprintSample());
  const withField = (field: string) => `${sample.slice(0, -1)},${field}}`;
  const forms: { name: string; text: string; route: 'push' | 'keys' }[] = [];
  for (const k of PROTO_KEYS) {
    forms.push({ name: `top ${k}`, route: 'push', text: withField(`${k}:{"polluted":"yes"}`) });
    forms.push({ name: `labels ${k}`, route: 'push', text: withField(`"labels":{${k}:{"polluted":"yes"}}`) });
    forms.push({
      name: `batch ${k}`,
      route: 'push',
      text: `{"samples":[${withField(`${k}:{"polluted":"yes"}`)}]}`,
    });
    forms.push({
      name: `envelope ${k}`,
      route: 'push',
      text: `{"samples":[${sample}],${k}:{"polluted":"yes"}}`,
    });
    forms.push({ name: `http ${k}`, route: 'push', text: withField(`"http":{${k}:{"total_ms":1}}`) });
    forms.push({ name: `keys ${k}`, route: 'keys', text: `{"node_id":"probe-x",${k}:{"is_admin":true}}` });
  }
  for (const c of ['a', 'b']) {
    forms.push({
      name: `top constructor ${c}`,
      route: 'push',
      text: `${sample.slice(0, -1)},"x":${CTOR(c)}}`,
    });
    forms.push({ name: `labels constructor ${c}`, route: 'push', text: withField(`"labels":${CTOR(c)}`) });
    forms.push({
      name: `batch constructor ${c}`,
      route: 'push',
      text: `{"samples":[${sample}],"dropped":${CTOR(c)}}`,
    });
    forms.push({
      name: `keys constructor ${c}`,
      route: 'keys',
      text: `{"node_id":"probe-x","label":${CTOR(c)}}`,
    });
  }
  const out: { name: string; route: 'push' | 'keys'; text: string; gzip: boolean }[] = [];
  for (let i = 0; out.length < 100; i++) {
    const f = forms[i % forms.length] as (typeof forms)[number];
    out.push({ ...f, gzip: Math.floor(i / forms.length) % 2 === 1 });
  }
  return out;
}

describe.each(MODES)('S23 prototype poisoning (%s mode)', (mode) => {
  let api: SecApi;
  let key: string;
  beforeAll(async () => {
    api = await startSecApi(mode);
    ({ key } = await api.createKey('probe-gh-accra-01'));
  });
  afterAll(async () => api?.close());

  it('answers 100 poisoned bodies 400 and changes nothing', async () => {
    const cases = bodies();
    const before = await api.state();
    const statuses: number[] = [];
    const codes: string[] = [];
    const bad: string[] = [];
    for (const c of cases) {
      const res = await api.app.inject({
        method: 'POST',
        url: c.route === 'push' ? '/api/push' : '/api/keys',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${c.route === 'push' ? key : ADMIN_TOKEN}`,
          ...(c.gzip ? { 'content-encoding': 'gzip' } : {}),
        },
        payload: c.gzip ? gzipSync(c.text) : c.text,
      });
      statuses.push(res.statusCode);
      codes.push(res.json().code);
      if (res.statusCode !== 400 || !isProblem4xx(res))
        bad.push(`${c.name}${c.gzip ? ' gz' : ''}: ${res.statusCode}`);
    }
    const after = await api.state();
    const polluted = [{}, [], new Map()].some((o) => 'polluted' in o || 'is_admin' in o);
    printFigures('S23', {
      mode,
      requests: cases.length,
      forms: new Set(cases.map((c) => c.name)).size,
      statuses: tally(statuses),
      codes: codes.reduce<Record<string, number>>((acc, c) => {
        acc[c] = (acc[c] ?? 0) + 1;
        return acc;
      }, {}),
      prototype_polluted: polluted,
      state_before: before,
      state_after: after,
      unexpected: bad.slice(0, 5),
    });
    expect(cases).toHaveLength(100);
    expect(bad).toEqual([]);
    expect(polluted).toBe(false);
    expect(after).toEqual(before);

    // Control: a "proto" lookalike that is not a prototype key is treated as an ordinary field.
    const ok = await api.app.inject({
      method: 'POST',
      url: '/api/push',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      payload: blueprintSample({ labels: { proto: 'x', constructor_id: 'y' } }),
    });
    expect(ok.statusCode).toBe(202);
    expect((await api.state()).queued).toBe(before.queued + 1);
  });
});
