import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '@fiberstack/logging';

const DASHBOARD_APP = resolve(import.meta.dirname, '..', '..', 'dashboard');
const DIST = join(DASHBOARD_APP, 'dist');

/** Newest modification time (ms) of any file under dir. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function isStale(): boolean {
  const index = join(DIST, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return ['src', 'public', 'index.html'].some((p) => {
    const path = join(DASHBOARD_APP, p);
    if (!existsSync(path)) return false;
    return statSync(path).isDirectory() ? newestMtime(path) > built : statSync(path).mtimeMs > built;
  });
}

/**
 * The directory of the built dashboard for `fiberstack up`, or undefined to run without one.
 * FIBERSTACK_DASHBOARD_DIR wins; in a source checkout the dashboard is built on first start
 * (and again when its sources are newer than the build), which takes about ten seconds.
 */
export function resolveDashboardDir(
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (env.FIBERSTACK_DASHBOARD_DIR) return resolve(env.FIBERSTACK_DASHBOARD_DIR);
  if (!existsSync(join(DASHBOARD_APP, 'package.json'))) {
    return existsSync(join(DIST, 'index.html')) ? DIST : undefined;
  }
  if (!isStale()) return DIST;
  logger.info({ dir: DIST }, 'building the dashboard (first start or changed sources, about 10 s)');
  const started = performance.now();
  const build = spawnSync('npm', ['run', 'build', '--silent', '-w', '@fiberstack/dashboard'], {
    cwd: resolve(DASHBOARD_APP, '..', '..'),
    encoding: 'utf8',
  });
  if (build.status !== 0 || !existsSync(join(DIST, 'index.html'))) {
    logger.error(
      { status: build.status, output: `${build.stdout ?? ''}${build.stderr ?? ''}`.slice(-2000) },
      'dashboard build failed; starting without the dashboard (API, docs and metrics still run)',
    );
    return undefined;
  }
  logger.info({ duration_ms: Math.round(performance.now() - started) }, 'dashboard built');
  return DIST;
}
