import {
  createNodes,
  createOracle,
  type OracleSample,
  printSummary,
  startTopology,
  sumApiMetric,
  type Topology,
  verdict,
} from '@fiberstack/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

// R22: probes whose clocks are 2 h ahead, 2 days behind, or never synced. The policy:
// now − 7 days ≤ timestamp ≤ now + 5 min; outside it a sample is rejected with a per-sample
// reason and counted (422 for a batch with no valid sample, never 5xx); inside it the sample
// is stored, with its clock_synced_age_s.
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let topology: Topology;

beforeAll(async () => {
  topology = await startTopology({ apis: 1, etls: 1, nginx: false });
}, 120_000);
afterAll(() => topology?.stop(), 60_000);

interface Probe {
  name: string;
  /** Clock offset of this probe. */
  offsetMs: number;
  clockSyncedAgeS: number;
  inPolicy: boolean;
}

const PROBES: Probe[] = [
  { name: 'synced', offsetMs: 0, clockSyncedAgeS: 30, inPolicy: true },
  { name: 'ahead-2h', offsetMs: 2 * HOUR, clockSyncedAgeS: 30, inPolicy: false },
  { name: 'behind-2d', offsetMs: -2 * DAY, clockSyncedAgeS: 30, inPolicy: true },
  { name: 'behind-8d', offsetMs: -8 * DAY, clockSyncedAgeS: 30, inPolicy: false },
  { name: 'unsynced', offsetMs: 0, clockSyncedAgeS: -1, inPolicy: true },
  { name: 'unsynced-ahead-4m', offsetMs: 4 * 60_000, clockSyncedAgeS: -1, inPolicy: true },
];
const PER_BATCH = 50;
const BATCHES = 4;

interface PushAnswer {
  accepted?: number;
  rejected?: { index: number; code: string }[];
}

async function push(key: string, samples: object[]): Promise<{ status: number; body: PushAnswer }> {
  const res = await fetch(`${topology.url}/api/push`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ samples }),
  });
  return { status: res.status, body: (await res.json()) as PushAnswer };
}

it('R22: out-of-policy timestamps rejected and counted (never 5xx); in-policy stored with clock_synced_age_s', async () => {
  const oracle = createOracle();
  const nodes = await createNodes(topology, PROBES.length, 'clock');
  const statuses: Record<string, Record<string, number>> = {};
  const rejectedByApi: Record<string, number> = {};
  let expectedRejected = 0;
  let seq = 0;
  for (let b = 0; b < BATCHES; b++) {
    for (const [i, probe] of PROBES.entries()) {
      const node = nodes[i];
      if (!node) throw new Error('missing node');
      const samples: object[] = [];
      const batchSamples: OracleSample[] = [];
      for (let k = 0; k < PER_BATCH; k++) {
        seq++;
        const sample = { node: node.nodeId, target: 'skew.example.net', check: 'icmp', seq };
        batchSamples.push(sample);
        samples.push({
          node_id: node.nodeId,
          country: 'GH',
          region: 'Accra',
          latency_ms: 12,
          uptime_pct: 100,
          packet_loss: 0,
          timestamp: new Date(Date.now() + probe.offsetMs - (PER_BATCH - k) * 1000).toISOString(),
          target: 'skew.example.net',
          check: 'icmp',
          seq,
          clock_synced_age_s: probe.clockSyncedAgeS,
        });
      }
      const res = await push(node.key, samples);
      const byStatus = statuses[probe.name] ?? {};
      byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
      statuses[probe.name] = byStatus;
      if (probe.inPolicy) {
        expect(res.status).toBe(202);
        expect(res.body.rejected).toEqual([]);
        for (const s of batchSamples) oracle.record(s);
      } else {
        expect(res.status).toBe(422);
        const rejected = res.body.rejected ?? [];
        expect(rejected).toHaveLength(PER_BATCH);
        const code = probe.offsetMs > 0 ? 'FS_ERR_PUSH_TIMESTAMP_FUTURE' : 'FS_ERR_PUSH_TIMESTAMP_TOO_OLD';
        for (const r of rejected) expect(r.code).toBe(code);
        rejectedByApi[code] = (rejectedByApi[code] ?? 0) + rejected.length;
        expectedRejected += PER_BATCH;
      }
    }
  }
  // A batch mixing good and skewed samples: 202, the skewed ones listed as rejected.
  const mixedNode = nodes[0];
  if (!mixedNode) throw new Error('missing node');
  seq++;
  const good = { node: mixedNode.nodeId, target: 'skew.example.net', check: 'icmp', seq };
  const base = {
    node_id: mixedNode.nodeId,
    country: 'GH',
    region: 'Accra',
    latency_ms: 12,
    uptime_pct: 100,
    packet_loss: 0,
    target: 'skew.example.net',
    check: 'icmp',
  };
  const mixed = await push(mixedNode.key, [
    { ...base, timestamp: new Date().toISOString(), seq, clock_synced_age_s: 5 },
    { ...base, timestamp: new Date(Date.now() + 2 * HOUR).toISOString(), seq: seq + 1 },
  ]);
  seq++;
  expect(mixed.status).toBe(202);
  expect(mixed.body.accepted).toBe(1);
  expect(mixed.body.rejected).toEqual([
    expect.objectContaining({ index: 1, code: 'FS_ERR_PUSH_TIMESTAMP_FUTURE' }),
  ]);
  oracle.record(good);
  rejectedByApi.FS_ERR_PUSH_TIMESTAMP_FUTURE = (rejectedByApi.FS_ERR_PUSH_TIMESTAMP_FUTURE ?? 0) + 1;
  expectedRejected += 1;

  const drainMs = await topology.waitDrained(30_000);
  const result = await verdict(topology, oracle);
  const counted = {
    future: await sumApiMetric(topology, 'fiberstack_samples_rejected_total', 'FS_ERR_PUSH_TIMESTAMP_FUTURE'),
    too_old: await sumApiMetric(
      topology,
      'fiberstack_samples_rejected_total',
      'FS_ERR_PUSH_TIMESTAMP_TOO_OLD',
    ),
  };
  const server5xx = await sumApiMetric(topology, 'http_requests_total', 'status="5');
  const { rows: ages } = await topology.db.query<{ node_id: string; age: number | null; n: number }>(
    `SELECT node_id, (extra->>'clock_synced_age_s')::int AS age, count(*)::int AS n
       FROM samples GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const queue = await topology.queueStats();
  printSummary('R22', {
    ...result,
    statuses,
    rejected_expected: expectedRejected,
    rejected_counted_by_api: counted,
    api_5xx: server5xx,
    stored_by_node_and_age: ages.map((r) => `${r.node_id}:${r.age}:${r.n}`),
    etl_error_stream: queue.errors,
    drain_ms: drainMs,
  });
  expect(result.lost).toBe(0);
  expect(result.dup).toBe(0);
  // Nothing outside the policy was stored (it would count as unexpected).
  expect(result.unexpected).toBe(0);
  expect(counted.future).toBe(rejectedByApi.FS_ERR_PUSH_TIMESTAMP_FUTURE);
  expect(counted.too_old).toBe(rejectedByApi.FS_ERR_PUSH_TIMESTAMP_TOO_OLD);
  expect(counted.future + counted.too_old).toBe(expectedRejected);
  expect(server5xx).toBe(0);
  // clock_synced_age_s kept on every stored sample: −1 for the unsynced probes.
  const ageOf = (name: string) => {
    const node = nodes[PROBES.findIndex((p) => p.name === name)];
    return ages.filter((r) => r.node_id === node?.nodeId);
  };
  expect(ageOf('unsynced')).toEqual([{ node_id: nodes[4]?.nodeId, age: -1, n: BATCHES * PER_BATCH }]);
  expect(ageOf('unsynced-ahead-4m')).toEqual([
    { node_id: nodes[5]?.nodeId, age: -1, n: BATCHES * PER_BATCH },
  ]);
  expect(ageOf('behind-2d')).toEqual([{ node_id: nodes[2]?.nodeId, age: 30, n: BATCHES * PER_BATCH }]);
  expect(ageOf('ahead-2h')).toEqual([]);
  expect(ageOf('behind-8d')).toEqual([]);
  expect(queue.errors).toBe(0);
}, 120_000);
