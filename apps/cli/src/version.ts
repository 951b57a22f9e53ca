import { readFileSync } from 'node:fs';

/** FiberStack's version, from the cli package manifest. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
