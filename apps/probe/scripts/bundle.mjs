#!/usr/bin/env node
// Bundles the probe into one ESM file (dist/fiberstack-probe.mjs) that runs on plain Node 20
// without tsx or node_modules: ~20 MB less RSS than running the TypeScript through tsx, and
// the container image carries one file. Usage: node apps/probe/scripts/bundle.mjs [outfile]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = process.argv[2] ?? join(root, 'dist', 'fiberstack-probe.mjs');
await build({
  stdin: {
    contents:
      "import { runProbe } from './src/index.ts';\nprocess.exitCode = await runProbe(process.argv.slice(2));\n",
    resolveDir: root,
    sourcefile: 'fiberstack-probe-entry.ts',
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  legalComments: 'linked',
  // Smaller source text and bytecode in the probe's heap (≈ 0.5 MB less RSS); names are kept
  // so logged errors still read.
  minify: true,
  keepNames: true,
  // CommonJS dependencies (pino, prom-client) call require(): give the ESM bundle one.
  banner: {
    js: "import { createRequire as __fsCreateRequire } from 'node:module';\nconst require = __fsCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
process.stdout.write(`${outfile}\n`);
