/**
 * The executors' public face for the runner: turn consolidated k6 options into validated
 * scenario configs (normalizeScenarios, k6's shortcut rules and defaults) and build the executor
 * of one scenario for one execution segment (createExecutor; registry.ts lists the executors).
 * One file per executor beside this.
 */
export { normalizeScenarios, readScenario, DEFAULT_SCENARIO } from './config.ts';
export { EXECUTOR_TYPES, createExecutor, executors } from './registry.ts';
export type { ScenarioConfig, ExecutorType } from './registry.ts';
export type { CommonScenarioConfig } from './base-config.ts';
export type { Stage } from './stages.ts';
export type { SharedIterationsConfig } from './shared-iterations.ts';
export type { PerVuIterationsConfig } from './per-vu-iterations.ts';
export type { ConstantVusConfig } from './constant-vus.ts';
export type { RampingVusConfig } from './ramping-vus.ts';
export type { ConstantArrivalRateConfig } from './constant-arrival-rate.ts';
export type { RampingArrivalRateConfig } from './ramping-arrival-rate.ts';
