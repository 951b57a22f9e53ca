import './formats.ts';

export * from './events.ts';
export * from './fleet.ts';
export * from './keys.ts';
export * from './limits.ts';
export * from './metrics.ts';
export * from './nodes.ts';
export * from './problem.ts';
export * from './push.ts';
export * from './queue-entry.ts';
export * from './sample.ts';
export * from './status.ts';
