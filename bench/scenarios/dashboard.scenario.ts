import { spawn } from 'node:child_process';
import { join } from 'node:path';

const SCRIPT = join(import.meta.dirname, '..', '..', 'test', 'e2e', 'dashboard', 'bench.ts');

/**
 * `npm run bench -- dashboard`: the dashboard on the 7-day demo data set in Debian's Chromium
 * (first load, page navigation, a week of minute data on the node page). Runs the browser
 * benchmark next to the end-to-end tests and keeps its printed figures.
 */
export async function dashboardScenario(): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  child.stdout.setEncoding('utf8');
  let rest = '';
  child.stdout.on('data', (chunk: string) => {
    process.stdout.write(chunk);
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l.trim().length > 0));
  });
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`dashboard benchmark exited with ${code}`);
  const figures: Record<string, number> = {};
  for (const line of lines) {
    const m = /^(.+?)\s+(\d+) ms\s+\(target/.exec(line);
    if (m?.[1] && m[2]) figures[m[1].trim()] = Number(m[2]);
  }
  return { figures_ms: figures, output: lines };
}
