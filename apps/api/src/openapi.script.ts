import { writeFile } from 'node:fs/promises';
import { OPENAPI_FILE, renderOpenApi } from './openapi.ts';
import { startHarness } from './test-support/harness.ts';

/** `npm run openapi -w @fiberstack/api`: writes apps/api/openapi.json from the route schemas. */
const h = await startHarness();
try {
  await writeFile(OPENAPI_FILE, renderOpenApi(h.app));
  process.stdout.write(`wrote ${OPENAPI_FILE.pathname}\n`);
} finally {
  await h.close();
}
