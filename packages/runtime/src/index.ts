export { ConfigError, collectErrors, loadEnv, validateEnv } from './env.ts';
export { type Component, Lifecycle, type LifecycleOptions } from './lifecycle.ts';
export { collectProcessMetrics } from './process-metrics.ts';
export { installSignalHandlers, type SignalOptions } from './signals.ts';
