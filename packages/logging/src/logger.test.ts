import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { withNode, withRequest } from './context.ts';
import { createLogger, logLevelFrom } from './logger.ts';

function capture() {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => l.length > 0);
  const records = () => lines().map((l) => JSON.parse(l) as Record<string, unknown>);
  return { destination, lines, records };
}

describe('createLogger', () => {
  it('writes JSON lines with service, version, level and time', () => {
    const out = capture();
    const log = createLogger({ service: 'api', version: '1.2.3', destination: out.destination });
    log.info({ count: 3 }, 'batch loaded');
    const [rec] = out.records();
    expect(rec).toMatchObject({
      service: 'api',
      version: '1.2.3',
      level: 'info',
      count: 3,
      msg: 'batch loaded',
    });
    expect(typeof rec?.time).toBe('string');
  });

  it('redacts authorization headers, keys, tokens, passwords and nested secrets', () => {
    const out = capture();
    const log = createLogger({ service: 'api', destination: out.destination });
    log.info(
      {
        req: { headers: { authorization: 'Bearer fsk_abcdefgh_supersecret', 'x-api-key': 'k-123' } },
        key: 'fsk_abcdefgh_topsecret',
        token: 'tok-999',
        password: 'hunter2',
        db: { secret: 's3cr3t', password: 'pw-db' },
      },
      'request',
    );
    const line = out.lines()[0] ?? '';
    for (const secret of ['supersecret', 'k-123', 'topsecret', 'tok-999', 'hunter2', 's3cr3t', 'pw-db'])
      expect(line).not.toContain(secret);
    expect(line).toContain('[REDACTED]');
  });

  it("masks database URLs' passwords in fields, messages and errors", () => {
    const out = capture();
    const log = createLogger({ service: 'etl', destination: out.destination });
    log.info({ url: 'postgres://app:pa55word@db:5432/fs' }, 'connecting');
    log.error({ err: new Error('cannot reach redis://:r3dis@cache:6379') }, 'failed');
    log.warn('retrying postgres://u:inline-pw@h/db');
    const text = out.lines().join('\n');
    expect(text).not.toMatch(/pa55word|r3dis|inline-pw/);
    expect(out.records()[0]?.url).toBe('postgres://app:[REDACTED]@db:5432/fs');
  });

  it('keeps a log-injection string on one JSON line', () => {
    const out = capture();
    const log = createLogger({ service: 'api', destination: out.destination });
    const evil = 'probe-1\n{"level":"error","msg":"forged"}\r\nX';
    log.info({ node_id: evil }, `push from ${evil}`);
    expect(out.lines()).toHaveLength(1);
    expect(out.records()[0]?.node_id).toBe(evil);
  });

  it('adds request and node context in child loggers', () => {
    const out = capture();
    const log = createLogger({ service: 'api', destination: out.destination });
    withNode(withRequest(log, 'req-1'), 'probe-gh-accra-01').info('accepted');
    expect(out.records()[0]).toMatchObject({
      service: 'api',
      request_id: 'req-1',
      node_id: 'probe-gh-accra-01',
    });
  });

  it('honours the level', () => {
    const out = capture();
    const log = createLogger({ service: 'api', level: 'warn', destination: out.destination });
    log.info('hidden');
    log.warn('shown');
    expect(out.records().map((r) => r.msg)).toEqual(['shown']);
  });

  it('reads LOG_LEVEL: info when unset or empty, undefined for a name that is no level', () => {
    expect(logLevelFrom(undefined)).toBe('info');
    expect(logLevelFrom('')).toBe('info');
    expect(logLevelFrom('warn')).toBe('warn');
    expect(logLevelFrom('silent')).toBe('silent');
    expect(logLevelFrom('WARN')).toBeUndefined();
    expect(logLevelFrom('verbose')).toBeUndefined();
  });
});
