import type { NewEvent } from '../queries/events.ts';
import type { SampleRow } from '../types.ts';
import { DEMO_PROBES, type DemoProbe } from './demo-probes.ts';
import { gaussian, seededRandom } from './random.ts';

export interface DemoOptions {
  /** End of the data set (default now). */
  now?: Date;
  /** How many days back (default 7). */
  days?: number;
  /**
   * Samples only from this time on. The episodes (loss bursts, outages) are still planned over
   * the whole span, so the minutes written later continue the story the full set told.
   */
  since?: Date;
  seed?: number;
  probes?: readonly DemoProbe[];
}

type EpisodeKind = 'loss' | 'down' | 'outage';
interface Episode {
  kind: EpisodeKind;
  from: number;
  to: number;
  loss: number;
}

export interface DemoDataSet {
  rows: SampleRow[];
  events: NewEvent[];
}

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Evening peak (about 20:00 local) and a smaller midday bump, 0..~1. */
function diurnal(t: number, utcOffset: number): number {
  const h = (((t / HOUR + utcOffset) % 24) + 24) % 24;
  return Math.exp(-(((h - 20.5) / 2.5) ** 2)) + 0.35 * Math.exp(-(((h - 13) / 2.5) ** 2));
}

function planEpisodes(index: number, rand: () => number, start: number, end: number): Episode[] {
  const eps: Episode[] = [];
  const bursts = 2 + Math.floor(rand() * 4);
  for (let i = 0; i < bursts; i++) {
    const from = start + rand() * (end - start - 3 * HOUR);
    eps.push({ kind: 'loss', from, to: from + (10 + rand() * 80) * MIN, loss: 4 + rand() * 35 });
  }
  if (rand() < 0.6) {
    const from = start + rand() * (end - start - 6 * HOUR);
    eps.push({ kind: 'outage', from, to: from + (20 + rand() * 160) * MIN, loss: 100 });
  }
  // A few probes are unhealthy right now so every status shows on a fresh dashboard.
  if (index === 3) eps.push({ kind: 'outage', from: end - 47 * MIN, to: end + HOUR, loss: 100 });
  if (index === 8) eps.push({ kind: 'down', from: end - 25 * MIN, to: end + HOUR, loss: 70 });
  if (index === 9) eps.push({ kind: 'loss', from: end - 35 * MIN, to: end + HOUR, loss: 8 });
  return eps.sort((a, b) => a.from - b.from);
}

function episodeAt(eps: readonly Episode[], t: number): Episode | undefined {
  return eps.find((e) => t >= e.from && t < e.to);
}

function eventsFor(p: DemoProbe, eps: readonly Episode[], end: number): NewEvent[] {
  const out: NewEvent[] = [];
  for (const e of eps) {
    const mins = Math.round((Math.min(e.to, end) - e.from) / MIN);
    if (e.kind === 'outage') {
      out.push({
        time: new Date(e.from),
        node_id: p.node_id,
        kind: 'node_silent',
        message: `node ${p.node_id} went silent (power outage)`,
      });
      if (e.to <= end)
        out.push({
          time: new Date(e.to),
          node_id: p.node_id,
          kind: 'node_back',
          message: `node ${p.node_id} reports again after ${mins} min`,
        });
    } else {
      const what = e.kind === 'down' ? 'link down' : 'packet loss burst';
      out.push({
        time: new Date(e.from),
        node_id: p.node_id,
        kind: e.kind === 'down' ? 'link_down' : 'loss_burst',
        message: `${what} on ${p.node_id}: ${e.loss.toFixed(0)} % loss${e.to <= end ? ` for ${mins} min` : ' (ongoing)'}`,
        data: { loss_pct: Math.round(e.loss * 10) / 10 },
      });
    }
  }
  return out;
}

function row(p: DemoProbe, t: number, target: string, check: string, fields: Partial<SampleRow>): SampleRow {
  return {
    node_id: p.node_id,
    target,
    check,
    time: new Date(t),
    country: p.country,
    region: p.region,
    latency_ms: 0,
    uptime_pct: 100,
    packet_loss: 0,
    jitter_ms: null,
    latency_min_ms: null,
    latency_max_ms: null,
    latency_median_ms: null,
    http_status: null,
    extra: { labels: { dataset: 'demo' } },
    outlier: false,
    received_at: new Date(t + 800),
    ...fields,
  };
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;

/**
 * The synthetic demo data set: every probe pings its target each minute and fetches an HTTPS
 * page every 5 minutes, with a diurnal evening peak, noise, loss bursts, link-down spells and
 * power outages (gaps). Deterministic for a given seed and `now`.
 */
export function generateDemoData(opts: DemoOptions = {}): DemoDataSet {
  const end = Math.floor((opts.now ?? new Date()).getTime() / MIN) * MIN;
  const start = end - (opts.days ?? 7) * 24 * HOUR;
  const from = Math.max(start, opts.since?.getTime() ?? start);
  const rand = seededRandom(opts.seed ?? 20_251_124);
  const rows: SampleRow[] = [];
  const events: NewEvent[] = [];
  (opts.probes ?? DEMO_PROBES).forEach((p, index) => {
    const eps = planEpisodes(index, rand, start, end);
    events.push(...eventsFor(p, eps, end));
    for (let t = Math.ceil((from - start) / MIN) * MIN + start; t <= end; t += MIN) {
      const ep = episodeAt(eps, t);
      if (ep?.kind === 'outage') continue;
      const peak = diurnal(t, p.utc_offset);
      const stress = ep ? (ep.kind === 'down' ? 3 : 1.8) : 1;
      const base = p.base_ms * (1 + 0.45 * peak) * stress;
      const pings = [0, 1, 2, 3, 4].map(() => base * Math.exp(0.12 * gaussian(rand)) + rand() * 2);
      pings.sort((a, b) => a - b);
      const loss = ep ? Math.min(100, Math.max(0, ep.loss + 6 * gaussian(rand))) : rand() < 0.02 ? 20 : 0;
      const uptime = ep?.kind === 'down' ? Math.max(0, 100 - loss - 10 * rand()) : loss >= 100 ? 0 : 100;
      const avg = pings.reduce((s, v) => s + v, 0) / pings.length;
      rows.push(
        row(p, t, '1.1.1.1', 'icmp', {
          latency_ms: r3(avg),
          latency_min_ms: r3(pings[0]!),
          latency_max_ms: r3(pings[4]!),
          latency_median_ms: r3(pings[2]!),
          jitter_ms: r3(Math.abs(pings[4]! - pings[0]!) / 2),
          packet_loss: r3(loss),
          uptime_pct: r3(uptime),
          outlier: false,
        }),
      );
      if ((t / MIN) % 5 === 0) {
        const dns = 2 + rand() * 8 * stress;
        const connect = base * (1 + 0.1 * rand());
        const tls = base * 2 * (1 + 0.1 * rand());
        const ttfb = 40 + 60 * rand() * stress + peak * 30;
        const total = dns + connect + tls + ttfb + 5 * rand();
        const failed = ep?.kind === 'down' && rand() < 0.5;
        rows.push(
          row(p, t, p.http_target, 'http', {
            latency_ms: r3(total),
            uptime_pct: failed ? 0 : 100,
            packet_loss: 0,
            http_status: failed ? 503 : 200,
            extra: {
              labels: { dataset: 'demo' },
              http: {
                dns_ms: r3(dns),
                connect_ms: r3(connect),
                tls_ms: r3(tls),
                ttfb_ms: r3(ttfb),
                total_ms: r3(total),
              },
            },
          }),
        );
      }
    }
  });
  events.push({
    time: new Date(end),
    node_id: null,
    kind: 'demo_data',
    message: `synthetic demo data set: ${(opts.probes ?? DEMO_PROBES).length} probes over ${opts.days ?? 7} days`,
  });
  return { rows, events };
}
