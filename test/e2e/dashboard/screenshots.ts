/**
 * `npm run screenshots -w @fiberstack/dashboard`: the real stack with the 7-day demo data set,
 * every page at 1440×900 and 390×844 (dark; overview and node also light) as PNGs in
 * .tmp/dashboard-screenshots (or SCREENSHOT_DIR).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadDemoData } from '@fiberstack/db';
import { ADMIN_TOKEN, launchChromium, ROOT, startStack } from './stack.ts';

const OUT = process.env.SCREENSHOT_DIR ?? join(ROOT, '.tmp', 'dashboard-screenshots');
const PAGES: [string, string, string][] = [
  ['overview', '/', 'worst-links'],
  ['node', '/nodes/demo-ng-kano-01?range=7d', 'latency-chart'],
  ['map', '/map', 'map-list'],
  ['analytics', '/analytics?range=7d&group=country', 'sla-table'],
  ['admin', '/admin', 'admin-nodes'],
];
const VIEWPORTS = [
  ['desktop', 1440, 900],
  ['phone', 390, 844],
] as const;

mkdirSync(OUT, { recursive: true });
const stack = await startStack();
try {
  const demo = await loadDemoData(stack.db);
  console.log(`demo data: ${demo.samples} samples, ${demo.nodes} nodes in ${demo.duration_ms} ms`);
  const browser = await launchChromium();
  try {
    for (const [device, width, height] of VIEWPORTS) {
      for (const theme of ['dark', 'light'] as const) {
        const context = await browser.newContext({
          viewport: { width, height },
          deviceScaleFactor: 1,
          colorScheme: theme,
        });
        await context.addInitScript(`localStorage.setItem('fiberstack.theme', '${theme}')`);
        await context.addInitScript(`sessionStorage.setItem('fiberstack.adminToken', '${ADMIN_TOKEN}')`);
        for (const [name, path, testId] of PAGES) {
          if (theme === 'light' && name !== 'overview' && name !== 'node') continue;
          const page = await context.newPage();
          await page.goto(`${stack.base}${path}`);
          await page.getByTestId(testId).first().waitFor();
          await page.waitForLoadState('networkidle');
          await page.waitForTimeout(400);
          const file = join(OUT, `${name}-${device}-${theme}.png`);
          await page.screenshot({ path: file, fullPage: process.env.FULL_PAGE === '1' });
          console.log(file);
          await page.close();
        }
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
} finally {
  await stack.close();
}
