/** The demo fleet: 15 probes in Ghana, Nigeria and Kenya with a base latency each. */
export interface DemoProbe {
  node_id: string;
  country: 'GH' | 'NG' | 'KE';
  region: string;
  /** Base round-trip time to the probe's anycast target, ms. */
  base_ms: number;
  /** UTC offset of local time, hours (drives the evening peak). */
  utc_offset: number;
  http_target: string;
}

const probe = (
  node_id: string,
  country: DemoProbe['country'],
  region: string,
  base_ms: number,
): DemoProbe => ({
  node_id,
  country,
  region,
  base_ms,
  utc_offset: country === 'GH' ? 0 : country === 'NG' ? 1 : 3,
  http_target: `https://www.example.${country.toLowerCase()}/`,
});

export const DEMO_PROBES: readonly DemoProbe[] = [
  probe('demo-gh-accra-01', 'GH', 'Greater Accra', 18),
  probe('demo-gh-accra-02', 'GH', 'Greater Accra', 22),
  probe('demo-gh-kumasi-01', 'GH', 'Ashanti', 31),
  probe('demo-gh-tamale-01', 'GH', 'Northern', 54),
  probe('demo-gh-takoradi-01', 'GH', 'Western', 38),
  probe('demo-ng-lagos-01', 'NG', 'Lagos', 24),
  probe('demo-ng-lagos-02', 'NG', 'Lagos', 27),
  probe('demo-ng-abuja-01', 'NG', 'Federal Capital Territory', 41),
  probe('demo-ng-portharcourt-01', 'NG', 'Rivers', 47),
  probe('demo-ng-kano-01', 'NG', 'Kano', 68),
  probe('demo-ke-nairobi-01', 'KE', 'Nairobi', 15),
  probe('demo-ke-nairobi-02', 'KE', 'Nairobi', 19),
  probe('demo-ke-mombasa-01', 'KE', 'Mombasa', 12),
  probe('demo-ke-kisumu-01', 'KE', 'Kisumu', 36),
  probe('demo-ke-eldoret-01', 'KE', 'Uasin Gishu', 43),
];
