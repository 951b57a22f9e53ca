export { backoffDelay } from './backoff.ts';
export { type EtlConfig, loadEtlConfig } from './config.ts';
export { type BatchPlan, planBatch } from './consume/plan-batch.ts';
export { createEtlMetrics, type EtlMetrics } from './metrics.ts';
export {
  createScheduler,
  SCHEDULER_LOCK_KEYS,
  type Scheduler,
  type SchedulerConfig,
  type SchedulerDeps,
} from './rollup/scheduler.ts';
export { OutlierDetector, type OutlierOptions } from './steps/outlier.ts';
export { transformSample } from './steps/transform.step.ts';
export {
  type RejectReason,
  type ValidateResult,
  type ValidSample,
  validateSample,
} from './steps/validate.step.ts';
export {
  type BatchOutcome,
  type BatchResult,
  createEtlWorker,
  type EtlDeps,
  type EtlWorker,
} from './worker.ts';
