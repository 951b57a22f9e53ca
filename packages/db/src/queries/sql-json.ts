/**
 * SQL expressions that write values the way the contracts (and JSON.stringify) do, for answers
 * the database encodes and the API sends as they are.
 */

/** ISO 8601 in UTC with milliseconds, as Date.prototype.toISOString writes it. */
export const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A double rounded to `digits` decimals (0.001 ms is a microsecond, the precision the probes
 * measure with), still a double so json_build_object writes it as a JSON number; NULL stays null.
 */
export const rounded = (expr: string, digits = 3) => `round((${expr})::numeric, ${digits})::float8`;
