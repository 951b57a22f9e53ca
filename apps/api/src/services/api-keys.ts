import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const KEY_PATTERN = /^fsk_([A-Za-z0-9]{8})_([A-Za-z0-9]{32,128})$/;
export const PREFIX_LENGTH = 8;
export const SECRET_LENGTH = 40;

/** Uniform base62 string from crypto random bytes (rejection sampling, no modulo bias). */
function base62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** A new key `fsk_<prefix>_<secret>`: the whole string is shown once, only its hash is stored. */
export function generateApiKey(): { key: string; prefix: string } {
  const prefix = base62(PREFIX_LENGTH);
  return { key: `fsk_${prefix}_${base62(SECRET_LENGTH)}`, prefix };
}

export function hashApiKey(pepper: string, key: string): string {
  return createHmac('sha256', pepper).update(key).digest('hex');
}

/** Constant-time comparison of two hex digests of equal length. */
export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** `Bearer fsk_…` → the key and its prefix, or null when absent or malformed. */
export function parseBearerKey(header: string | undefined): { key: string; prefix: string } | null {
  if (!header) return null;
  const m = /^Bearer[ ]+(\S+)$/i.exec(header);
  const key = m?.[1];
  if (!key) return null;
  const parts = KEY_PATTERN.exec(key);
  return parts?.[1] ? { key, prefix: parts[1] } : null;
}

/** Constant-time check of an admin bearer token (lengths hidden by hashing both sides). */
export function adminTokenMatches(expected: string, header: string | undefined): boolean {
  if (!expected || !header) return false;
  const m = /^Bearer[ ]+(\S+)$/i.exec(header);
  if (!m?.[1]) return false;
  const a = createHmac('sha256', 'fs-admin').update(m[1]).digest();
  const b = createHmac('sha256', 'fs-admin').update(expected).digest();
  return timingSafeEqual(a, b);
}
