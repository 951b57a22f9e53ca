/**
 * `npm run bench -w @fiberstack/dashboard`: the dashboard on the 7-day demo data set in Chromium.
 * Prints first load (navigation → overview table visible), page navigation (nav click → page's
 * main element visible; median of 5) and the node page with one week of minute data (raw).
 * Targets (issue #6): first load < 2 s, navigation < 500 ms, week node page < 300 ms.
 */
import { loadDemoData } from '@fiberstack/db';
import type { Page } from 'playwright-core';
import { launchChromium, startStack } from './stack.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(page: Page, act: () => Promise<unknown>, testId: string): Promise<number> {
  const t0 = performance.now();
  await act();
  await page.getByTestId(testId).first().waitFor();
  return performance.now() - t0;
}

const stack = await startStack();
try {
  const demo = await loadDemoData(stack.db);
  console.log(`demo data: ${demo.samples} samples, ${demo.nodes} nodes (${demo.duration_ms} ms to load)`);
  const browser = await launchChromium();
  try {
    const firstLoads: number[] = [];
    for (let i = 0; i < 3; i++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      firstLoads.push(await timed(page, () => page.goto(stack.base), 'worst-links'));
      await context.close();
    }
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(stack.base);
    await page.getByTestId('worst-links').waitFor();
    const nav: Record<string, number[]> = { Map: [], Analytics: [], Overview: [] };
    const target = { Map: 'map', Analytics: 'sla-table', Overview: 'worst-links' } as const;
    for (let i = 0; i < 5; i++) {
      for (const name of ['Map', 'Analytics', 'Overview'] as const) {
        nav[name]!.push(
          await timed(page, () => page.getByRole('link', { name, exact: true }).click(), target[name]),
        );
      }
    }
    const nodeTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.goto(`${stack.base}/`);
      await page.getByTestId('worst-links').waitFor();
      const t0 = performance.now();
      // Client-side navigation, as a click on a node link would do.
      await page.evaluate(
        "history.pushState({}, '', '/nodes/demo-gh-accra-01?range=7d&agg=raw'); dispatchEvent(new PopStateEvent('popstate'))",
      );
      await page.locator('[data-testid=latency-chart] canvas').first().waitFor();
      // Every minute of the week is behind the drawn points (bucketed min/avg/max, see max_points).
      await page.waitForFunction(
        "Number(document.querySelector('[data-testid=latency-chart]')?.getAttribute('data-samples') ?? 0) >= 10000",
      );
      nodeTimes.push(performance.now() - t0);
    }
    const chart = page.getByTestId('latency-chart').first();
    const points = await chart.getAttribute('data-points');
    const samples = await chart.getAttribute('data-samples');
    const hourly: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.goto(`${stack.base}/`);
      await page.getByTestId('worst-links').waitFor();
      hourly.push(
        await timed(
          page,
          () =>
            page
              .getByTestId('worst-links')
              .getByRole('link', { name: `demo-ke-nairobi-0${(i % 2) + 1}`, exact: true })
              .click(),
          'latency-chart',
        ),
      );
    }
    await context.close();
    const row = (label: string, ms: number, target: number) =>
      console.log(
        `${label.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms  (target < ${target} ms) ${ms < target ? 'OK' : 'SLOW'}`,
      );
    row('first load (median of 3)', median(firstLoads), 2000);
    for (const [name, xs] of Object.entries(nav)) row(`navigation → ${name} (median of 5)`, median(xs), 500);
    row('node page click, default 24 h raw (median of 3)', median(hourly), 300);
    row(`node page, 7 d raw minute data (${samples} samples → ${points} pts)`, median(nodeTimes), 300);
  } finally {
    await browser.close();
  }
} finally {
  await stack.close();
}
