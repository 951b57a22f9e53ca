import type { ApiKeyInfo } from '@fiberstack/contracts';
import type { Sql } from '../types.ts';

export interface NewApiKey {
  id: string;
  node_id: string;
  prefix: string;
  hash: string;
  label: string | null;
}

export interface ApiKeyRow extends NewApiKey {
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const COLUMNS = 'id, node_id, prefix, hash, label, created_at, revoked_at, last_used_at';

export async function insertApiKey(sql: Sql, k: NewApiKey): Promise<ApiKeyRow> {
  const { rows } = await sql.query<ApiKeyRow>(
    `INSERT INTO api_keys (id, node_id, prefix, hash, label) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [k.id, k.node_id, k.prefix, k.hash, k.label],
  );
  return rows[0]!;
}

/** The key row for a prefix (revoked ones included: the caller checks revoked_at). */
export async function findApiKeyByPrefix(sql: Sql, prefix: string): Promise<ApiKeyRow | null> {
  const { rows } = await sql.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE prefix = $1`, [prefix]);
  return rows[0] ?? null;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** Every key, newest first, without hashes. */
export async function listApiKeys(sql: Sql): Promise<ApiKeyInfo[]> {
  const { rows } = await sql.query<ApiKeyRow>(
    `SELECT ${COLUMNS} FROM api_keys ORDER BY created_at DESC, id`,
    [],
  );
  return rows.map((r) => ({
    id: r.id,
    node_id: r.node_id,
    prefix: r.prefix,
    label: r.label,
    created_at: r.created_at.toISOString(),
    revoked_at: iso(r.revoked_at),
    last_used_at: iso(r.last_used_at),
  }));
}

/** Revokes a key; false when it does not exist or was already revoked. */
export async function revokeApiKey(sql: Sql, id: string): Promise<boolean> {
  const result = await sql.query(
    'UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
    [id],
  );
  return result.rowCount > 0;
}

export async function touchApiKey(sql: Sql, id: string): Promise<void> {
  await sql.query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [id]);
}
