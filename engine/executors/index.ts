/**
 * The executors' public face for the runner: turn consolidated k6 options into validated
 * scenario configs (normalizeScenarios, k6's shortcut rules and defaults) and build the executor
 * of one scenario for one execution segment (createExecutor). One file per executor beside this.
 */
import type { Executor, SegmentInfo } from '../types.ts';
import type { ScenarioConfig } from './base-config.ts';
import { ConstantArrivalRate } from './constant-arrival-rate.ts';
import { ConstantVus } from './constant-vus.ts';
import { PerVuIterations } from './per-vu-iterations.ts';
import { RampingArrivalRate } from './ramping-arrival-rate.ts';
import { RampingVus } from './ramping-vus.ts';
import { SharedIterations } from './shared-iterations.ts';

export { normalizeScenarios, readScenario, DEFAULT_SCENARIO } from './config.ts';
export { EXECUTOR_TYPES } from './base-config.ts';
export type { ScenarioConfig, CommonScenarioConfig, ExecutorType } from './base-config.ts';
export type { Stage } from './stages.ts';
export type { SharedIterationsConfig } from './shared-iterations.ts';
export type { PerVuIterationsConfig } from './per-vu-iterations.ts';
export type { ConstantVusConfig } from './constant-vus.ts';
export type { RampingVusConfig } from './ramping-vus.ts';
export type { ConstantArrivalRateConfig } from './constant-arrival-rate.ts';
export type { RampingArrivalRateConfig } from './ramping-arrival-rate.ts';

/** The executor for scenario `name` (config from normalizeScenarios) in this instance's segment. */
export function createExecutor(name: string, config: ScenarioConfig, segment: SegmentInfo): Executor {
  switch (config.executor) {
    case 'shared-iterations':
      return new SharedIterations(name, config, segment);
    case 'per-vu-iterations':
      return new PerVuIterations(name, config, segment);
    case 'constant-vus':
      return new ConstantVus(name, config, segment);
    case 'ramping-vus':
      return new RampingVus(name, config, segment);
    case 'constant-arrival-rate':
      return new ConstantArrivalRate(name, config, segment);
    case 'ramping-arrival-rate':
      return new RampingArrivalRate(name, config, segment);
    default: {
      const unknown: { executor?: unknown } = config;
      throw new Error(`createExecutor: unknown executor ${String(unknown.executor)} (configs come from normalizeScenarios)`);
    }
  }
}
