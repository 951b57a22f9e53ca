import type { SampleRow } from '@fiberstack/db';

/**
 * A loaded sample as the ETL writes it (an ICMP check of 20 ms, up, no loss, in Greater Accra,
 * received when measured), with `fields` replacing any column.
 */
export function sampleRow(fields: Partial<SampleRow> & Pick<SampleRow, 'node_id' | 'time'>): SampleRow {
  return {
    target: '',
    check: 'icmp',
    country: 'GH',
    region: 'Greater Accra',
    latency_ms: 20,
    uptime_pct: 100,
    packet_loss: 0,
    jitter_ms: null,
    latency_min_ms: null,
    latency_max_ms: null,
    latency_median_ms: null,
    http_status: null,
    extra: null,
    outlier: false,
    received_at: fields.time,
    ...fields,
  };
}
