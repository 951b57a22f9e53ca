import { join } from 'node:path';

/** Repository root (this file lives in deploy/validate/). */
export const ROOT = join(import.meta.dirname, '..', '..');
export const DEPLOY = join(ROOT, 'deploy');
