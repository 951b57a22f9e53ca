export { DEAD_LETTER_AFTER } from './constants.ts';
export {
  createEmbeddedQueue,
  DEFAULT_LEASE_MS,
  DEFAULT_POLL_MS,
  type EmbeddedQueueOptions,
  parseEntry,
} from './embedded.queue.ts';
export type * from './queue.ts';
