/** Input limits shared by the API, the ETL and the probe. See docs/api.md. */
export const Limits = {
  bodyBytes: 1024 * 1024,
  samplesPerBatch: 1000,
  /** API accepts latency up to this; the ETL range check is stricter (blueprint 0–10 000 ms). */
  apiMaxLatencyMs: 60_000,
  etlMaxLatencyMs: 10_000,
  futureSkewMs: 5 * 60 * 1000,
  maxBackfillMs: 7 * 24 * 3600 * 1000,
  labelsPerSample: 16,
  labelValueChars: 256,
  labelKeyChars: 64,
  targetChars: 2048,
} as const;

export const CheckKinds = ['icmp', 'tcp', 'http', 'dns'] as const;
export type CheckKind = (typeof CheckKinds)[number];

/** `node_id` like the blueprint's `probe-gh-accra-01`. */
export const NODE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
/** ISO 3166-1 alpha-2. */
export const COUNTRY_PATTERN = '^[A-Z]{2}$';
/** Printable text without control characters. */
export const PLAIN_TEXT_PATTERN = '^[^\\u0000-\\u001f\\u007f]*$';
/** Hostname, IP, host:port or URL without whitespace or control characters. */
export const TARGET_PATTERN = '^[^\\s\\u0000-\\u001f\\u007f]+$';
export const LABEL_KEY_PATTERN = '^[a-zA-Z_][a-zA-Z0-9_]{0,63}$';
/** The target recorded when a sample names none (the blueprint's single-sample body). */
export const DEFAULT_TARGET = '';
/** The check recorded when a sample names none. */
export const DEFAULT_CHECK = 'icmp' satisfies CheckKind;
