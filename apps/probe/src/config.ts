import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import type { DnsOptions, Target } from './checks/check.types.ts';
import { ProbeYaml, type TargetConfig } from './config.schema.ts';
import { deepFreeze } from './freeze.ts';
import type { NodeIdentity } from './sample-builder.ts';
import { parseDurationMs, parseSize } from './units.ts';

export interface ProbeConfig {
  node: NodeIdentity;
  api_endpoint: string;
  api_key?: string;
  interval_seconds: number;
  metrics: string[];
  targets: Target[];
  concurrency: number;
  buffer: { dir: string; max_bytes: number; max_age_ms: number; segment_bytes: number };
  push: {
    batch_size: number;
    max_rate_per_s: number;
    timeout_ms: number;
    backoff_base_ms: number;
    backoff_cap_ms: number;
    linger_ms: number;
  };
  metrics_listen?: { host: string; port: number };
}

export interface LoadOptions {
  /** Fail when no API key is configured (true except for `--once` and `--check`). */
  requireApiKey?: boolean;
}

export class ProbeConfigError extends Error {
  constructor(readonly errors: string[]) {
    super(`invalid probe config:\n  ${errors.join('\n  ')}`);
    this.name = 'ProbeConfigError';
  }
}

const MIB = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = { icmp: 1000, tcp: 5000, http: 10_000, dns: 3000 } as const;

function readSecret(path: string, errors: string[], where: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    errors.push(`${where}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}

function resolveTarget(t: TargetConfig, i: number, defaults: { interval: number }, errors: string[]): Target {
  const o = t.options ?? {};
  const where = `/targets/${i}`;
  const timeout_ms = t.timeout_ms ?? DEFAULT_TIMEOUT_MS[t.kind];
  const interval_seconds = t.interval_seconds ?? defaults.interval;
  let series = t.target;
  if (t.kind === 'tcp') {
    const hasPort = /:\d+$/.test(t.target);
    if (!hasPort && o.port === undefined)
      errors.push(`${where}/options/port: tcp needs a port (host:port or options.port)`);
    if (!hasPort && o.port !== undefined)
      series = t.target.includes(':') ? `[${t.target}]:${o.port}` : `${t.target}:${o.port}`;
  }
  if (t.kind === 'http' && !/^https?:\/\/\S+$/.test(t.target))
    errors.push(`${where}/target: http needs an http(s) URL`);
  const count = o.count ?? 5;
  const interval_ms = o.interval_ms ?? 200;
  const budget = t.kind === 'icmp' ? timeout_ms + (count - 1) * interval_ms : timeout_ms;
  if (budget >= interval_seconds * 1000) {
    errors.push(
      `${where}: one round (${budget} ms) must be shorter than interval_seconds (${interval_seconds} s)`,
    );
  }
  const expect =
    o.expect_status === undefined ? [] : Array.isArray(o.expect_status) ? o.expect_status : [o.expect_status];
  const ca = o.ca_file ? readSecret(o.ca_file, errors, `${where}/options/ca_file`) : undefined;
  return {
    name: t.name ?? `${t.kind}:${series}`,
    kind: t.kind,
    target: t.target,
    series,
    interval_seconds,
    timeout_ms,
    icmp: { count, interval_ms },
    tcp: o.port !== undefined ? { port: o.port } : {},
    http: {
      method: o.method ?? 'GET',
      expect_status: expect,
      ...(o.keyword ? { keyword: o.keyword } : {}),
      follow_redirects: o.follow_redirects ?? true,
      max_redirects: o.max_redirects ?? 5,
      tls_verify: o.tls_verify ?? true,
      ...(ca ? { ca } : {}),
    },
    dns: {
      record_type: (o.record_type ?? 'A') as DnsOptions['record_type'],
      resolver: o.resolver ?? 'system',
    },
  };
}

/**
 * Parses and validates probe.yaml, applies FIBERSTACK_PROBE_* overrides from `env`, fills
 * defaults, and returns a frozen config. Every problem is reported at once with its path.
 */
export function loadProbeConfig(
  yamlText: string,
  env: Record<string, string | undefined> = {},
  options: LoadOptions = {},
): ProbeConfig {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText, { maxAliasCount: 100 }) ?? {};
  } catch (err) {
    throw new ProbeConfigError([`yaml: ${(err as Error).message}`]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ProbeConfigError(['/: expected a mapping']);
  const doc = { ...(raw as Record<string, unknown>) };
  const overrides: Array<[string, string]> = [
    ['FIBERSTACK_PROBE_NODE_ID', 'node_id'],
    ['FIBERSTACK_PROBE_API_ENDPOINT', 'api_endpoint'],
    ['FIBERSTACK_PROBE_API_KEY', 'api_key'],
    ['FIBERSTACK_PROBE_API_KEY_FILE', 'api_key_file'],
    ['FIBERSTACK_PROBE_METRICS_LISTEN', 'metrics_listen'],
  ];
  for (const [name, key] of overrides) if (env[name]) doc[key] = env[name];
  if (env.FIBERSTACK_PROBE_BUFFER_DIR) {
    doc.buffer = { ...((doc.buffer as object | undefined) ?? {}), dir: env.FIBERSTACK_PROBE_BUFFER_DIR };
  }
  const errors = [...Value.Errors(ProbeYaml, doc)].map((e) => `${e.path || '/'}: ${e.message}`);
  if (errors.length > 0) throw new ProbeConfigError(errors);
  const y = doc as ProbeYaml;

  const interval = y.interval_seconds ?? 60;
  const apiKey =
    y.api_key ?? (y.api_key_file ? readSecret(y.api_key_file, errors, '/api_key_file') : undefined);
  if (options.requireApiKey !== false && !apiKey)
    errors.push('/api_key: required (api_key, api_key_file or FIBERSTACK_PROBE_API_KEY)');
  const targetConfigs: TargetConfig[] = y.targets ?? [
    { kind: 'icmp', target: new URL(y.api_endpoint).hostname },
  ];
  const targets = targetConfigs.map((t, i) => resolveTarget(t, i, { interval }, errors));
  const seen = new Set<string>();
  targets.forEach((t, i) => {
    const key = `${t.kind} ${t.series}`;
    if (seen.has(key)) errors.push(`/targets/${i}: duplicate series (${key})`);
    seen.add(key);
  });
  const maxBytes = parseSize(y.buffer?.max_bytes ?? 64 * MIB);
  const maxAge = parseDurationMs(y.buffer?.max_age ?? '7d');
  if (maxBytes === undefined || maxBytes < 64 * 1024)
    errors.push('/buffer/max_bytes: a size of at least 64KiB');
  if (maxAge === undefined) errors.push('/buffer/max_age: a duration like 7d');
  const segmentBytes = parseSize(
    y.buffer?.segment_bytes ?? Math.min(4 * MIB, Math.floor((maxBytes ?? 0) / 16)),
  );
  if (segmentBytes === undefined || segmentBytes < 4096) errors.push('/buffer/segment_bytes: at least 4KiB');
  const base = y.push?.backoff_base_ms ?? 1000;
  const cap = y.push?.backoff_cap_ms ?? 60_000;
  if (cap < base) errors.push('/push/backoff_cap_ms: must be ≥ backoff_base_ms');
  if (errors.length > 0) throw new ProbeConfigError(errors);

  let metricsListen: ProbeConfig['metrics_listen'];
  if (y.metrics_listen) {
    const i = y.metrics_listen.lastIndexOf(':');
    metricsListen = {
      host: y.metrics_listen.slice(0, i).replace(/^\[|\]$/g, ''),
      port: Number(y.metrics_listen.slice(i + 1)),
    };
  }
  const config: ProbeConfig = {
    node: { node_id: y.node_id, country: y.country, region: y.region },
    api_endpoint: y.api_endpoint,
    ...(apiKey ? { api_key: apiKey } : {}),
    interval_seconds: interval,
    metrics: y.metrics ?? ['latency', 'uptime', 'packet_loss'],
    targets,
    concurrency: y.concurrency ?? 32,
    buffer: {
      dir: y.buffer?.dir ?? env.STATE_DIRECTORY ?? '.fiberstack/probe',
      max_bytes: maxBytes!,
      max_age_ms: maxAge!,
      segment_bytes: segmentBytes!,
    },
    push: {
      batch_size: y.push?.batch_size ?? 500,
      max_rate_per_s: y.push?.max_rate_per_s ?? 2000,
      timeout_ms: y.push?.timeout_ms ?? 30_000,
      backoff_base_ms: base,
      backoff_cap_ms: cap,
      linger_ms: y.push?.linger_ms ?? 2000,
    },
    ...(metricsListen ? { metrics_listen: metricsListen } : {}),
  };
  return deepFreeze(config);
}
