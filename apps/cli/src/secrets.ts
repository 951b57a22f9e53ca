import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The pepper for API key hashes. From API_KEY_SECRET when set; in the all-in-one mode otherwise
 * generated once and kept in the data directory (mode 0600), so keys stay valid across restarts.
 */
export function apiKeySecret(dataDir: string, env: NodeJS.ProcessEnv): string {
  if (env.API_KEY_SECRET) return env.API_KEY_SECRET;
  const path = join(dataDir, 'api-key-secret');
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    const secret = randomBytes(32).toString('base64url');
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}
