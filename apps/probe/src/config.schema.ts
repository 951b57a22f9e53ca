import {
  CheckKinds,
  COUNTRY_PATTERN,
  NODE_ID_PATTERN,
  PLAIN_TEXT_PATTERN,
  TARGET_PATTERN,
} from '@fiberstack/contracts';
import { type Static, Type } from '@sinclair/typebox';

const Size = Type.Union(
  [Type.Integer({ minimum: 1 }), Type.String({ pattern: '^\\d+(\\.\\d+)?\\s*[A-Za-z]*$' })],
  {
    description: 'bytes, or a size like 64MiB',
  },
);
const Duration = Type.Union(
  [Type.Integer({ minimum: 1 }), Type.String({ pattern: '^\\d+\\s*(ms|s|m|h|d)$' })],
  {
    description: 'seconds, or a duration like 7d, 12h, 30m',
  },
);

export const TargetOptions = Type.Object(
  {
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    interval_ms: Type.Optional(Type.Integer({ minimum: 20, maximum: 10_000 })),
    method: Type.Optional(Type.Union(['GET', 'HEAD', 'POST', 'OPTIONS'].map((m) => Type.Literal(m)))),
    expect_status: Type.Optional(
      Type.Union([
        Type.Integer({ minimum: 100, maximum: 599 }),
        Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { maxItems: 50 }),
      ]),
    ),
    keyword: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    follow_redirects: Type.Optional(Type.Boolean()),
    max_redirects: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
    tls_verify: Type.Optional(Type.Boolean()),
    ca_file: Type.Optional(Type.String({ minLength: 1 })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_535 })),
    record_type: Type.Optional(
      Type.Union(['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'SOA'].map((t) => Type.Literal(t))),
    ),
    resolver: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const TargetConfig = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: PLAIN_TEXT_PATTERN })),
    kind: Type.Union(CheckKinds.map((k) => Type.Literal(k))),
    target: Type.String({ minLength: 1, maxLength: 2048, pattern: TARGET_PATTERN }),
    interval_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
    timeout_ms: Type.Optional(Type.Integer({ minimum: 10, maximum: 60_000 })),
    options: Type.Optional(TargetOptions),
  },
  { additionalProperties: false },
);
export type TargetConfig = Static<typeof TargetConfig>;

/** probe.yaml: the blueprint's fields plus key, targets, buffer, push and metrics_listen. */
export const ProbeYaml = Type.Object(
  {
    node_id: Type.String({ pattern: NODE_ID_PATTERN }),
    region: Type.String({ minLength: 1, maxLength: 64, pattern: PLAIN_TEXT_PATTERN }),
    country: Type.String({ pattern: COUNTRY_PATTERN }),
    api_endpoint: Type.String({ pattern: '^https?://\\S+$', maxLength: 2048 }),
    interval_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
    metrics: Type.Optional(
      Type.Array(Type.Union(['latency', 'uptime', 'packet_loss'].map((m) => Type.Literal(m))), {
        maxItems: 3,
      }),
    ),
    api_key: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    api_key_file: Type.Optional(Type.String({ minLength: 1 })),
    targets: Type.Optional(Type.Array(TargetConfig, { maxItems: 10_000 })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
    buffer: Type.Optional(
      Type.Object(
        {
          dir: Type.Optional(Type.String({ minLength: 1 })),
          max_bytes: Type.Optional(Size),
          max_age: Type.Optional(Duration),
          segment_bytes: Type.Optional(Size),
        },
        { additionalProperties: false },
      ),
    ),
    push: Type.Optional(
      Type.Object(
        {
          batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          max_rate_per_s: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 })),
          timeout_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 300_000 })),
          backoff_base_ms: Type.Optional(Type.Integer({ minimum: 1, maximum: 600_000 })),
          backoff_cap_ms: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_600_000 })),
          linger_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
        },
        { additionalProperties: false },
      ),
    ),
    metrics_listen: Type.Optional(
      Type.String({ pattern: '^(\\[[0-9a-fA-F:]+\\]|[A-Za-z0-9.-]+):\\d{1,5}$' }),
    ),
  },
  { additionalProperties: false },
);
export type ProbeYaml = Static<typeof ProbeYaml>;
