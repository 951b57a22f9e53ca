import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The blueprint's "Never does" column, made real: which workspace may import which.
 * An app never imports another app (the cli launcher composes their entry points); packages never import apps; contracts imports nothing
 * of ours; the probe and the dashboard never reach the database or the queue.
 */
const root = join(import.meta.dirname, '..');
const forbidden: Record<string, RegExp[]> = {
  'packages/contracts': [/^@fiberstack\//],
  'packages/logging': [/^@fiberstack\/(?!contracts$)/],
  'packages/db': [/^@fiberstack\/(api|etl|cli|probe|dashboard|queue)\b/],
  'packages/queue': [/^@fiberstack\/(api|etl|cli|probe|dashboard)\b/],
  'apps/probe': [/^@fiberstack\/(db|queue)\b/],
  'apps/dashboard': [/^@fiberstack\/(db|queue|logging|runtime)\b/],
};
const apps = ['api', 'etl', 'cli', 'probe', 'dashboard'];

function sourceFiles(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(sourceFiles(p));
    else if (/\.(ts|tsx|mts)$/.test(name)) out.push(p);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)];
  return specs.map((m) => m[1] ?? '');
}

const workspaces = ['apps', 'packages'].flatMap((top) =>
  readdirSync(join(root, top)).map((name) => `${top}/${name}`),
);

describe('package boundaries', () => {
  it.each(workspaces)('%s imports only what its role allows', (ws) => {
    const violations: string[] = [];
    const [top, name] = ws.split('/') as [string, string];
    for (const file of sourceFiles(join(root, ws, 'src'))) {
      for (const spec of importsOf(file)) {
        const where = `${relative(root, file)} → ${spec}`;
        if (spec.startsWith('.')) {
          const target = relative(join(root, ws), resolve(dirname(file), spec));
          if (target.startsWith('..')) violations.push(`${where} (reaches outside its workspace)`);
        }
        const m = /^@fiberstack\/([^/]+)(\/.*)?$/.exec(spec);
        if (m) {
          if (m[2]) violations.push(`${where} (deep import)`);
          // The cli is the launcher: it composes the roles' entry points (docs/adr/0002).
          if (apps.includes(m[1] ?? '') && m[1] !== name && ws !== 'apps/cli')
            violations.push(`${where} (imports an app)`);
          if (top === 'packages' && apps.includes(m[1] ?? ''))
            violations.push(`${where} (package imports an app)`);
        }
        for (const rule of forbidden[ws] ?? [])
          if (rule.test(spec)) violations.push(`${where} (forbidden for ${ws})`);
      }
    }
    expect(violations).toEqual([]);
  });
});
