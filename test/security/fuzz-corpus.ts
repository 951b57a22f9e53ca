import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { blueprintSample } from './support.ts';

/** One malformed push: the body bytes, how it is labelled, and which family it comes from. */
export interface FuzzCase {
  family: string;
  body: Buffer;
  gzip: boolean;
}

const NODE = 'probe-gh-accra-01';
/** A fixed timestamp inside the accepted window is put in at send time (see `fresh`). */
const TS = '__TS__';

const sampleText = () => JSON.stringify(blueprintSample({ timestamp: TS }));
const fresh = (text: string) => text.replaceAll(TS, new Date().toISOString());

const stringFields = ['node_id', 'country', 'region'] as const;
const numberFields = ['latency_ms', 'uptime_pct', 'packet_loss'] as const;

/** A value of any JSON type except the one named. */
const notA = (kind: 'string' | 'number' | 'timestamp') =>
  fc.oneof(
    ...(kind === 'string' ? [] : [fc.string({ maxLength: 20 })]),
    ...(kind === 'number'
      ? []
      : kind === 'timestamp'
        ? []
        : [fc.double({ noNaN: true, noDefaultInfinity: true })]),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
  );

const text = (s: string) => Buffer.from(s, 'utf8');
const deep = (n: number, open: string, close: string, inner = '0') =>
  open.repeat(n) + inner + close.repeat(n);

/** The families of malformed bodies; weights keep the big ones rare. */
const families: { weight: number; arbitrary: fc.Arbitrary<{ family: string; body: Buffer }> }[] = [
  {
    weight: 20,
    arbitrary: fc
      .uint8Array({ minLength: 0, maxLength: 600 })
      .map((b) => ({ family: 'random-bytes', body: Buffer.from(b) })),
  },
  {
    weight: 20,
    arbitrary: fc.nat().map((n) => {
      const t = sampleText();
      return { family: 'truncated-json', body: text(t.slice(0, n % t.length)) };
    }),
  },
  {
    weight: 15,
    arbitrary: fc.tuple(fc.constantFrom(...stringFields), notA('string')).map(([field, value]) => ({
      family: 'type-swap',
      body: text(JSON.stringify(blueprintSample({ timestamp: TS, [field]: value }))),
    })),
  },
  {
    weight: 15,
    arbitrary: fc.tuple(fc.constantFrom(...numberFields, 'timestamp'), fc.constant(0)).chain(([field]) =>
      notA(field === 'timestamp' ? 'timestamp' : 'number').map((value) => ({
        family: 'type-swap',
        body: text(JSON.stringify(blueprintSample({ timestamp: TS, [field]: value }))),
      })),
    ),
  },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      ...(['latency_ms', 'uptime_pct', 'packet_loss'] as const).flatMap((f) => [
        { family: 'special-number', body: text(sampleText().replace(`"${f}":`, `"${f}":1e309,"_x":`)) },
        { family: 'special-number', body: text(sampleText().replace(/"latency_ms":[^,]+/, `"${f}":1e309`)) },
        { family: 'special-number', body: text(sampleText().replace(/"latency_ms":[^,]+/, `"${f}":-1e309`)) },
        { family: 'special-number', body: text(sampleText().replace(/"latency_ms":[^,]+/, `"${f}":"NaN"`)) },
        { family: 'special-number', body: text(sampleText().replace(/"latency_ms":[^,]+/, `"${f}":NaN`)) },
        {
          family: 'special-number',
          body: text(sampleText().replace(/"latency_ms":[^,]+/, `"${f}":Infinity`)),
        },
      ]),
      { family: 'special-number', body: text(sampleText().replace(`"${TS}"`, '-0')) },
      { family: 'special-number', body: text('-0') },
      { family: 'special-number', body: text(sampleText().replace(`"${TS}"`, '1e309')) },
    ),
  },
  {
    weight: 6,
    arbitrary: fc.constantFrom(...stringFields, ...numberFields).chain((field) =>
      notA(field in { latency_ms: 1, uptime_pct: 1, packet_loss: 1 } ? 'number' : 'string').map((value) => ({
        family: 'duplicate-keys',
        // The last duplicate wins in JSON.parse; it is the wrong one here.
        body: text(`${sampleText().slice(0, -1)},"${field}":${JSON.stringify(value)}}`),
      })),
    ),
  },
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.constantFrom('region', 'node_id', 'country'),
        fc.constantFrom(
          [0xff],
          [0xc3, 0x28],
          [0xed, 0xa0, 0x80],
          [0xf8, 0x88, 0x80, 0x80, 0x80],
          [0xc0, 0xaf],
        ),
      )
      .map(([field, bad]) => {
        const t = sampleText();
        const at = t.indexOf(`"${field}":"`) + field.length + 5;
        return {
          family: 'invalid-utf8',
          body: Buffer.concat([text(t.slice(0, at)), Buffer.from(bad), text(t.slice(at))]),
        };
      }),
  },
  {
    weight: 6,
    arbitrary: fc.constantFrom('region', 'node_id', 'country').chain((field) =>
      fc.constantFrom('\\u0000', '\u0000').map((nul) => {
        const t = sampleText();
        const at = t.indexOf(`"${field}":"`) + field.length + 5;
        return { family: 'nul', body: text(t.slice(0, at) + nul + t.slice(at)) };
      }),
    ),
  },
  {
    weight: 4,
    arbitrary: fc
      .constantFrom<unknown>(
        {},
        [],
        null,
        'x',
        true,
        7,
        { samples: [] },
        { samples: {} },
        { samples: null },
        [blueprintSample()],
      )
      .map((v) => ({ family: 'wrong-shape', body: text(JSON.stringify(v)) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        () => deep(10_000, '[', ']'),
        () => deep(10_000, '{"a":', '}'),
        () => sampleText().replace('"Ghana"', deep(10_000, '[', ']')),
        () => sampleText().replace('"region":"Ghana"', `"labels":${deep(10_000, '{"a":', '}', '"v"')}`),
      )
      .map((make) => ({ family: 'deep-nesting', body: text(make()) })),
  },
];

const arbitrary: fc.Arbitrary<FuzzCase> = fc
  .tuple(fc.oneof(...families), fc.integer({ min: 0, max: 19 }))
  .map(([c, roll]) => ({ ...c, gzip: roll === 0 }));

/** Replaces the timestamp placeholder byte-wise (invalid UTF-8 stays invalid). */
function stamp(body: Buffer): Buffer {
  const mark = Buffer.from(TS);
  const at = body.indexOf(mark);
  if (at < 0) return body;
  return Buffer.concat([
    body.subarray(0, at),
    text(new Date().toISOString()),
    stamp(body.subarray(at + mark.length)),
  ]);
}

/** Deterministic: the same seed and batch give the same cases. */
export function fuzzBatch(seed: number, batch: number, size: number): FuzzCase[] {
  return fc
    .sample(arbitrary, { seed: seed + batch, numRuns: size })
    .map((c) => ({ ...c, body: stamp(c.body) }));
}

/** The large cases (2 MB arrays of a million elements, 1 001 samples), sent a fixed number of times. */
export function hugeArrays(): FuzzCase[] {
  return [
    `[${'0,'.repeat(999_999)}0]`,
    `{"samples":[${'1,'.repeat(999_999)}1]}`,
    fresh(`{"samples":[${Array.from({ length: 1001 }, () => sampleText()).join(',')}]}`),
  ].map((s) => ({ family: 'huge-array', body: text(s), gzip: false }));
}

export const gzipped = (c: FuzzCase) => (c.gzip ? gzipSync(c.body) : c.body);
export { NODE };
