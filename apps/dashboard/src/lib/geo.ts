/** Where a probe sits on the map: a known city in its node id, else its country's centre. */
const CITIES: Record<string, [number, number]> = {
  accra: [5.6037, -0.187],
  kumasi: [6.6885, -1.6244],
  tamale: [9.4008, -0.8393],
  takoradi: [4.8845, -1.7554],
  capecoast: [5.1053, -1.2466],
  lagos: [6.5244, 3.3792],
  abuja: [9.0765, 7.3986],
  portharcourt: [4.8156, 7.0498],
  kano: [12.0022, 8.592],
  ibadan: [7.3775, 3.947],
  nairobi: [-1.2921, 36.8219],
  mombasa: [-4.0435, 39.6682],
  kisumu: [-0.0917, 34.768],
  nakuru: [-0.3031, 36.08],
  eldoret: [0.5143, 35.2698],
  johannesburg: [-26.2041, 28.0473],
  capetown: [-33.9249, 18.4241],
  cairo: [30.0444, 31.2357],
  addisababa: [8.9806, 38.7578],
  daressalaam: [-6.7924, 39.2083],
  kampala: [0.3476, 32.5825],
  kigali: [-1.9441, 30.0619],
  dakar: [14.7167, -17.4677],
  abidjan: [5.36, -4.0083],
  lome: [6.1725, 1.2314],
  cotonou: [6.3703, 2.3912],
};

/** ISO 3166 alpha-2 → [numeric id used by world-atlas, centre lat, centre lon]. */
export const COUNTRIES: Record<string, [string, number, number]> = {
  GH: ['288', 7.95, -1.02],
  NG: ['566', 9.08, 8.68],
  KE: ['404', 0.02, 37.91],
  ZA: ['710', -30.56, 22.94],
  EG: ['818', 26.82, 30.8],
  ET: ['231', 9.15, 40.49],
  TZ: ['834', -6.37, 34.89],
  UG: ['800', 1.37, 32.29],
  RW: ['646', -1.94, 29.87],
  SN: ['686', 14.5, -14.45],
  CI: ['384', 7.54, -5.55],
  CM: ['120', 7.37, 12.35],
  MA: ['504', 31.79, -7.09],
  DZ: ['012', 28.03, 1.66],
  TN: ['788', 33.89, 9.54],
  ZM: ['894', -13.13, 27.85],
  ZW: ['716', -19.02, 29.15],
  MZ: ['508', -18.67, 35.53],
  AO: ['024', -11.2, 17.87],
  CD: ['180', -4.04, 21.76],
  BJ: ['204', 9.31, 2.32],
  TG: ['768', 8.62, 0.82],
  BF: ['854', 12.24, -1.56],
  ML: ['466', 17.57, -4.0],
  NE: ['562', 17.61, 8.08],
  SD: ['729', 12.86, 30.22],
  LR: ['430', 6.43, -9.43],
  SL: ['694', 8.46, -11.78],
  GN: ['324', 9.95, -9.7],
  BW: ['072', -22.33, 24.68],
  NA: ['516', -22.96, 18.49],
  MW: ['454', -13.25, 34.3],
  MG: ['450', -18.77, 46.87],
  SO: ['706', 5.15, 46.2],
  LY: ['434', 26.34, 17.23],
};

/** Numeric world-atlas id → alpha-2. */
export const COUNTRY_BY_NUMERIC: Record<string, string> = Object.fromEntries(
  Object.entries(COUNTRIES).map(([alpha2, [numeric]]) => [numeric, alpha2]),
);

/**
 * A position for a node: the first city named in its id (`probe-gh-accra-01` → Accra), else its
 * country's centre; `index` spreads nodes that share a place on a small circle.
 */
export function nodePosition(nodeId: string, country: string, index: number): [number, number] | null {
  const parts = nodeId.toLowerCase().split(/[-_.]/);
  const city = parts.map((p) => CITIES[p]).find((c) => c !== undefined);
  const centre = city ?? (COUNTRIES[country] ? [COUNTRIES[country][1], COUNTRIES[country][2]] : null);
  if (!centre) return null;
  if (index === 0) return [centre[0], centre[1]];
  const angle = index * 2.4;
  const r = 0.12 * Math.sqrt(index);
  return [centre[0] + r * Math.sin(angle), centre[1] + r * Math.cos(angle)];
}
