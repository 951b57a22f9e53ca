import { parseArgs } from 'node:util';
import {
  DEMO_PROBES,
  type DemoProbe,
  generateDemoData,
  insertEvents,
  loadSamples,
  refreshRollups,
} from '@fiberstack/db';
import { createRoleProcess, createTestDatabase, freePort } from '@fiberstack/testing';
import { percentile } from '../result.ts';

const DAY = 86_400_000;

/** `probes` probes cloned from the demo fleet (same countries and latency shapes). */
function fleet(probes: number): DemoProbe[] {
  return Array.from({ length: probes }, (_, i) => {
    const base = DEMO_PROBES[i % DEMO_PROBES.length] as DemoProbe;
    return {
      ...base,
      node_id: `${base.node_id}-${String(Math.floor(i / DEMO_PROBES.length)).padStart(2, '0')}`,
    };
  });
}

async function timeRequests(
  url: string,
  runs: number,
): Promise<{ ms: number[]; status: Record<string, number> }> {
  const ms: number[] = [];
  const status: Record<string, number> = {};
  for (let i = 0; i < runs + 10; i++) {
    const t0 = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (i >= 10) {
      ms.push(performance.now() - t0);
      status[res.status] = (status[res.status] ?? 0) + 1;
    }
  }
  return { ms: ms.sort((a, b) => a - b), status };
}

/**
 * `npm run bench -- query`: read latency of a real `fiberstack api` process on PostgreSQL 15
 * holding a week of minute data for a fleet (default 100 probes × 2 targets ≈ 2 M rows, with
 * hourly and daily rollups). Each endpoint is called sequentially (--runs, after 10 warm-up
 * calls); figures are HTTP round trips on loopback.
 */
export async function queryScenario(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      probes: { type: 'string', default: '100' },
      days: { type: 'string', default: '7' },
      runs: { type: 'string', default: '200' },
    },
  });
  const probes = fleet(Number(values.probes));
  const days = Number(values.days);
  const runs = Number(values.runs);
  const t = await createTestDatabase();
  try {
    const loadStarted = performance.now();
    const now = new Date();
    const { rows, events } = generateDemoData({ probes, days, now });
    for (let i = 0; i < rows.length; i += 20_000) {
      const chunk = rows.slice(i, i + 20_000);
      await t.db.transaction((tx) => loadSamples(tx, chunk));
    }
    await insertEvents(t.db, events);
    for (;;) if ((await refreshRollups(t.db, { maxBuckets: 100_000 })).hourly === 0) break;
    await t.db.query('ANALYZE');
    const loadS = (performance.now() - loadStarted) / 1000;
    process.stdout.write(
      `query: ${rows.length.toLocaleString()} raw rows (${probes.length} probes, ${days} days, minute data) loaded with rollups in ${loadS.toFixed(0)} s\n`,
    );

    const port = await freePort();
    const api = createRoleProcess('api', ['api'], port, () => ({
      DATABASE_URL: t.url,
      ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef',
      API_KEY_SECRET: 'bench-api-key-secret-0123456789abcdef',
      ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_ENABLED: 'false',
    }));
    await api.start();
    try {
      const base = `http://127.0.0.1:${port}`;
      const end = new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString();
      const weekAgo = new Date(Date.parse(end) - 7 * DAY).toISOString();
      const node = probes[0]?.node_id as string;
      const cases: { name: string; path: string; target: number }[] = [
        { name: 'fleet overview (GET /api/fleet)', path: '/api/fleet', target: 20 },
        {
          name: "node's 7-day hourly series",
          path: `/api/metrics?node_id=${node}&aggregation=hourly&start=${weekAgo}&end=${end}&check=icmp`,
          target: 5,
        },
        {
          name: 'per-country aggregates, 24 h',
          path: '/api/regions',
          target: 20,
        },
        {
          name: 'per-country aggregates, 7 d daily',
          path: `/api/regions?aggregation=daily&start=${weekAgo}&end=${end}`,
          target: 20,
        },
        {
          name: 'per-country aggregates, 7 d hourly',
          path: `/api/regions?aggregation=hourly&start=${weekAgo}&end=${end}`,
          target: 20,
        },
        {
          name: "node's 24 h raw series (2 targets)",
          path: `/api/metrics?node_id=${node}&start=${new Date(Date.parse(end) - DAY).toISOString()}&end=${end}&limit=20000`,
          target: 50,
        },
        {
          name: "node's 7 d raw, bucketed to 1500 points",
          path: `/api/metrics?node_id=${node}&start=${weekAgo}&end=${end}&max_points=1500&limit=20000`,
          target: 50,
        },
      ];
      const results: Record<string, unknown> = {};
      for (const c of cases) {
        const { ms, status } = await timeRequests(`${base}${c.path}`, runs);
        const p95 = percentile(ms, 95);
        results[c.name] = {
          p50_ms: round(percentile(ms, 50)),
          p95_ms: round(p95),
          p99_ms: round(percentile(ms, 99)),
          target_p95_ms: c.target,
          status,
        };
        process.stdout.write(
          `  ${c.name.padEnd(42)} p50 ${round(percentile(ms, 50)).toString().padStart(6)} ms  p95 ${round(p95).toString().padStart(6)} ms  (target p95 < ${c.target} ms) ${p95 < c.target ? 'OK' : 'SLOW'}\n`,
        );
      }
      // The worst raw read a client can ask for: 400 days, every sample bucketed. It is bounded
      // by the API's statement timeout (DB_STATEMENT_TIMEOUT_API_MS) and answers 200 or 503.
      const worst = await timeRequests(
        `${base}/api/metrics?node_id=${node}&start=${new Date(Date.parse(end) - 399 * DAY).toISOString()}&end=${end}&max_points=100&limit=20000`,
        5,
      );
      results['raw 400-day range (bounded)'] = {
        max_ms: round(worst.ms.at(-1) ?? 0),
        status: worst.status,
      };
      process.stdout.write(
        `  ${'raw 400-day range (statement timeout 5 s)'.padEnd(42)} max ${round(worst.ms.at(-1) ?? 0)} ms  statuses ${JSON.stringify(worst.status)}\n`,
      );
      return { rows: rows.length, probes: probes.length, days, runs, endpoints: results };
    } finally {
      await api.kill('SIGTERM');
    }
  } finally {
    await t.drop();
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
