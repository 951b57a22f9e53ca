#!/usr/bin/env node
// Bundles the probe into ESM files that run on plain Node 20 without tsx or node_modules
// (~20 MB less RSS than running the TypeScript through tsx): the entry
// dist/fiberstack-probe.mjs and, next to it, the chunks it loads only when needed
// (fiberstack-probe-*.mjs: the config loader with yaml and TypeBox, which the running probe
// leaves to a short-lived child; prom-client, only with metrics_listen). Code that is in the
// entry costs RSS even when it never runs, ≈ 1.5 MiB for those two. Deploy all the files.
// Usage: node apps/probe/scripts/bundle.mjs [outfile]   (chunks go to the outfile's directory)
import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = process.argv[2] ?? join(root, 'dist', 'fiberstack-probe.mjs');
const outdir = dirname(outfile);
const name = basename(outfile, '.mjs');
// Chunks of an earlier build have other hashes: remove them so a copy of the directory
// deploys only this build.
try {
  for (const f of readdirSync(outdir)) {
    if (f.startsWith(`${name}-`) && f.endsWith('.mjs')) rmSync(join(outdir, f));
  }
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
}

const contractsSrc = join(root, '..', '..', 'packages', 'contracts', 'src');
/**
 * The contract modules only build TypeBox schemas (formats.ts, which registers string
 * formats, and the index, which imports it, aside): marked side-effect-free, the schemas the
 * probe does not use (all of them; it takes Limits and the patterns) stay out of the bundle
 * instead of being built in every probe process (≈ 0.5 MiB RSS).
 */
const pureContracts = {
  name: 'pure-contracts',
  setup(b) {
    b.onResolve({ filter: /^\.\/[\w.-]+\.ts$/ }, (args) => {
      if (args.resolveDir !== contractsSrc || /^\.\/(index|formats)\.ts$/.test(args.path)) return undefined;
      return { path: join(contractsSrc, args.path), sideEffects: false };
    });
  },
};

/**
 * pino loads worker_threads (for `isMainThread`) and thread-stream (for transports) when it
 * starts. The probe logs JSON lines to stdout from the main thread and uses no transport
 * (there is no node_modules next to the bundle to load one from), so pino gets a constant
 * and a stub instead: ≈ 0.3 MiB RSS. The paths are matched exactly: if pino moves them, the
 * real modules are bundled again.
 */
const pinoWithoutWorkers = {
  name: 'pino-without-workers',
  setup(b) {
    const importer = (args, file) =>
      args.importer.replaceAll('\\', '/').endsWith(`/node_modules/pino/lib/${file}`);
    b.onResolve({ filter: /^worker_threads$/ }, (args) =>
      importer(args, 'tools.js') ? { path: 'worker_threads', namespace: 'probe-stub' } : undefined,
    );
    b.onResolve({ filter: /^thread-stream$/ }, (args) =>
      importer(args, 'transport.js') ? { path: 'thread-stream', namespace: 'probe-stub' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'probe-stub' }, (args) => ({
      contents:
        args.path === 'worker_threads'
          ? 'module.exports = { isMainThread: true };'
          : "module.exports = function ThreadStream() { throw new Error('pino transports are not available in the probe bundle'); };",
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: { [name]: join(root, 'src', 'bundle-entry.ts') },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir,
  outExtension: { '.js': '.mjs' },
  chunkNames: `${name}-[name]-[hash]`,
  legalComments: 'linked',
  // Smaller source text and bytecode in the probe's heap (≈ 0.5 MB less RSS); names are kept
  // so logged errors still read.
  minify: true,
  keepNames: true,
  // CommonJS dependencies (pino, prom-client) call require(): give the ESM bundle one.
  banner: {
    js: "import { createRequire as __fsCreateRequire } from 'node:module';\nconst require = __fsCreateRequire(import.meta.url);",
  },
  plugins: [pureContracts, pinoWithoutWorkers],
  logLevel: 'warning',
});
process.stdout.write(`${outfile}\n`);
