type Https = typeof import('node:https');

let loading: Promise<Https> | undefined;

/**
 * node:https, loaded on first use. It brings tls and crypto (≈ 0.9 MiB RSS of a probe), which
 * a probe whose API endpoint and targets are all plain http never needs; warm-up loads it up
 * front when some configured URL is https, so no round waits for it.
 */
export function loadHttps(): Promise<Https> {
  loading ??= import('node:https');
  return loading;
}
