import { parseArgs } from 'node:util';
import type { ApiKeyInfo, CreatedKey, KeysResponse } from '@fiberstack/contracts';
import { CliError } from '../cli-error.ts';
import { DEFAULT_DATA_DIR, readAdminToken } from '../data-dir.ts';

/** `fiberstack keys create|list|revoke`: talks to a running server's admin API. */
export async function keysCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      node: { type: 'string' },
      label: { type: 'string' },
      api: { type: 'string', default: process.env.FIBERSTACK_API ?? 'http://127.0.0.1:8000' },
      'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
      json: { type: 'boolean', default: false },
    },
  });
  const [action, id] = positionals;
  const token = process.env.FIBERSTACK_ADMIN_TOKEN ?? readAdminToken(values['data-dir']);
  if (!token) {
    throw new CliError(
      `no admin token: set FIBERSTACK_ADMIN_TOKEN or point --data-dir at the server's data directory`,
    );
  }
  const call = (method: string, path: string, body?: unknown) =>
    request(values.api, token, method, path, body);

  switch (action) {
    case 'create': {
      if (!values.node) throw new CliError('keys create needs --node <node_id>');
      const key = (await call('POST', '/api/keys', {
        node_id: values.node,
        ...(values.label ? { label: values.label } : {}),
      })) as CreatedKey;
      if (values.json) process.stdout.write(`${JSON.stringify(key)}\n`);
      else {
        process.stdout.write(
          `Created key ${key.id} for ${key.node_id}. It is shown only this once:\n\n  ${key.key}\n\n` +
            `Probes send it as: Authorization: Bearer <key>\n`,
        );
      }
      return 0;
    }
    case 'list': {
      const { keys } = (await call('GET', '/api/keys')) as KeysResponse;
      if (values.json) process.stdout.write(`${JSON.stringify(keys)}\n`);
      else process.stdout.write(formatKeys(keys));
      return 0;
    }
    case 'revoke': {
      if (!id) throw new CliError('keys revoke needs the key id (see `fiberstack keys list`)');
      await call('DELETE', `/api/keys/${encodeURIComponent(id)}`);
      process.stdout.write(`Revoked key ${id}.\n`);
      return 0;
    }
    default:
      throw new CliError(`keys needs an action: create, list or revoke`);
  }
}

function formatKeys(keys: ApiKeyInfo[]): string {
  if (keys.length === 0) return 'No keys yet. Create one with: fiberstack keys create --node <node_id>\n';
  const rows = keys.map((k) => [
    k.id,
    k.node_id,
    k.prefix,
    k.revoked_at ? 'revoked' : 'active',
    k.created_at,
  ]);
  const head = ['ID', 'NODE', 'PREFIX', 'STATE', 'CREATED'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: string[]) => `${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}\n`;
  return line(head) + rows.map((r) => line(r.map(String))).join('');
}

async function request(api: string, token: string, method: string, path: string, body?: unknown) {
  let res: Response;
  try {
    res = await fetch(new URL(path, api), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new CliError(`cannot reach the FiberStack API at ${api} (is \`fiberstack up\` running?)`, 1, {
      cause: err,
    });
  }
  const text = await res.text();
  if (!res.ok) {
    let detail = text;
    try {
      const problem = JSON.parse(text) as { title?: string; detail?: string };
      detail = [problem.title, problem.detail].filter(Boolean).join(': ');
    } catch {}
    throw new CliError(`${method} ${path} failed with ${res.status}: ${detail}`, 1);
  }
  return text ? (JSON.parse(text) as unknown) : undefined;
}
