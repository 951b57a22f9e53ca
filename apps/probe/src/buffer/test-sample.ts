import type { Sample } from '@fiberstack/contracts';

/** A valid sample numbered `seq` (tests and the kill -9 fixture). */
export function testSample(seq: number, timestamp: string | number = new Date().toISOString()): Sample {
  return {
    node_id: 'probe-test-01',
    country: 'GH',
    region: 'Greater Accra',
    latency_ms: 10 + (seq % 7),
    uptime_pct: 100,
    packet_loss: 0,
    timestamp,
    target: '127.0.0.1',
    check: 'icmp',
    seq,
  };
}
