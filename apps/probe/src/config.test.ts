import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProbeConfig, ProbeConfigError } from './config.ts';

const blueprint = `
node_id: "probe-gh-accra-01"
region: "Ghana"
country: "GH"
api_endpoint: "https://api.fiberstack.io/api/push"
interval_seconds: 60
metrics:
  - latency
  - uptime
  - packet_loss
`;

function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProbeConfigError) return err.errors;
    throw err;
  }
  throw new Error('expected a config error');
}

describe('loadProbeConfig', () => {
  it('accepts the blueprint probe.yaml verbatim and pings the API host by default', () => {
    const c = loadProbeConfig(`${blueprint}api_key: fsk_abc\n`);
    expect(c.node).toEqual({ node_id: 'probe-gh-accra-01', region: 'Ghana', country: 'GH' });
    expect(c.targets).toHaveLength(1);
    expect(c.targets[0]).toMatchObject({ kind: 'icmp', target: 'api.fiberstack.io', interval_seconds: 60 });
    expect(c.buffer).toMatchObject({ max_bytes: 64 * 1024 * 1024, max_age_ms: 7 * 86_400_000 });
    expect(c.push).toMatchObject({ batch_size: 500, backoff_base_ms: 1000, backoff_cap_ms: 60_000 });
    expect(Object.isFrozen(c.targets[0]!.http)).toBe(true);
  });

  it('resolves targets with per-kind defaults and options', () => {
    const c = loadProbeConfig(
      `${blueprint}api_key: k
targets:
  - { kind: icmp, target: 127.0.0.1, options: { count: 10 } }
  - { name: web, kind: http, target: "https://example.org/health", interval_seconds: 30, options: { expect_status: 204, keyword: ok } }
  - { kind: tcp, target: db.internal, options: { port: 5432 } }
  - { kind: dns, target: example.org, options: { record_type: AAAA, resolver: "127.0.0.53" } }
buffer: { dir: /tmp/x, max_bytes: 128MiB, max_age: 2d }
push: { batch_size: 1000, max_rate_per_s: 50 }
metrics_listen: "127.0.0.1:9464"
`,
    );
    const [icmp, http, tcp, dns] = c.targets;
    expect(icmp).toMatchObject({ icmp: { count: 10, interval_ms: 200 }, timeout_ms: 1000 });
    expect(http).toMatchObject({
      name: 'web',
      interval_seconds: 30,
      http: { expect_status: [204], keyword: 'ok' },
    });
    expect(tcp).toMatchObject({ series: 'db.internal:5432', tcp: { port: 5432 } });
    expect(dns).toMatchObject({ dns: { record_type: 'AAAA', resolver: '127.0.0.53' } });
    expect(c.buffer).toMatchObject({
      dir: '/tmp/x',
      max_bytes: 128 * 1024 * 1024,
      max_age_ms: 2 * 86_400_000,
    });
    expect(c.metrics_listen).toEqual({ host: '127.0.0.1', port: 9464 });
  });

  it('reports every error at once, with its path', () => {
    const errors = errorsOf(() =>
      loadProbeConfig(`
node_id: "bad id!"
region: Ghana
country: gh
api_endpoint: ftp://x
colour: blue
targets:
  - { kind: smtp, target: x }
push: { batch_size: 5000 }
`),
    );
    const text = errors.join('\n');
    for (const path of [
      '/node_id',
      '/country',
      '/api_endpoint',
      '/colour',
      '/targets/0/kind',
      '/push/batch_size',
    ]) {
      expect(text).toContain(path);
    }
  });

  it('checks cross-field rules: ports, urls, round length, duplicates, the key', () => {
    const errors = errorsOf(() =>
      loadProbeConfig(`${blueprint}
targets:
  - { kind: tcp, target: db.internal }
  - { kind: http, target: example.org }
  - { kind: icmp, target: a, interval_seconds: 1, options: { count: 20 } }
  - { kind: icmp, target: b }
  - { kind: icmp, target: b }
`),
    );
    expect(errors.join('\n')).toMatch(/targets\/0\/options\/port/);
    expect(errors.join('\n')).toMatch(/targets\/1\/target/);
    expect(errors.join('\n')).toMatch(/targets\/2: one round/);
    expect(errors.join('\n')).toMatch(/targets\/4: duplicate series/);
    expect(errors.join('\n')).toMatch(/\/api_key: required/);
  });

  it('lets FIBERSTACK_PROBE_* override node id, endpoint and key (file or value)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'probe-cfg-'));
    try {
      writeFileSync(join(dir, 'key'), 'fsk_from_file\n');
      const env = {
        FIBERSTACK_PROBE_NODE_ID: 'probe-ke-nbo-02',
        FIBERSTACK_PROBE_API_ENDPOINT: 'http://127.0.0.1:8080/api/push',
        FIBERSTACK_PROBE_API_KEY_FILE: join(dir, 'key'),
      };
      const c = loadProbeConfig(blueprint, env);
      expect(c).toMatchObject({ api_endpoint: 'http://127.0.0.1:8080/api/push', api_key: 'fsk_from_file' });
      expect(c.node.node_id).toBe('probe-ke-nbo-02');
      expect(loadProbeConfig(blueprint, { FIBERSTACK_PROBE_API_KEY: 'fsk_env' }).api_key).toBe('fsk_env');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not need a key for --once and --check', () => {
    expect(loadProbeConfig(blueprint, {}, { requireApiKey: false }).api_key).toBeUndefined();
  });

  it('rejects YAML that is not a mapping', () => {
    expect(errorsOf(() => loadProbeConfig('- a\n- b\n'))).toEqual(['/: expected a mapping']);
    expect(errorsOf(() => loadProbeConfig('a: [')).join()).toMatch(/^yaml:/);
  });
});
