/** Splits `host:port`, `[v6]:port`, or a bare host (port from options). */
export function splitHostPort(value: string, fallbackPort?: number): { host: string; port?: number } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracket) return { host: bracket[1]!, port: bracket[2] ? Number(bracket[2]) : fallbackPort };
  const colons = value.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = value.split(':') as [string, string];
    if (/^\d+$/.test(port)) return { host, port: Number(port) };
  }
  return { host: value, port: fallbackPort };
}
