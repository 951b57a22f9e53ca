import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.ts';

/** Metrics the applications register: every `name: '…'` passed to a prom-client metric in the apps' src folders. */
export function definedMetrics(): Set<string> {
  const found = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (entry === 'node_modules') continue;
      if (statSync(path).isDirectory()) visit(path);
      else if (/\.ts$/.test(entry) && !/\.test\.ts$/.test(entry)) {
        const text = readFileSync(path, 'utf8');
        if (!/prom-client/.test(text)) continue;
        for (const m of text.matchAll(/['"]((?:fiberstack|http)_[a-z0-9_]+)['"]/g)) found.add(m[1] as string);
      }
    }
  };
  for (const app of readdirSync(join(ROOT, 'apps'))) {
    const src = join(ROOT, 'apps', app, 'src');
    try {
      visit(src);
    } catch {
      // an app without src/
    }
  }
  return found;
}

/** FiberStack metric names (fiberstack_… and http_…) a PromQL expression refers to, histogram suffixes removed. */
export function referencedMetrics(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(/\b((?:fiberstack|http)_[a-z0-9_]+)\b/g))
    names.add((m[1] as string).replace(/_(bucket|sum|count)$/, ''));
  return [...names];
}
