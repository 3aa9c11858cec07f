/**
 * Every executor, registered once: its name, how its options are read and validated, and how it is
 * built for one segment. normalizeScenarios (config.ts) and createExecutor (index.ts) both look
 * executors up here, and the ScenarioConfig union is derived from this table, so adding an
 * executor is one line here plus its own file — and no executor file imports another's types.
 */
import type { Executor, SegmentInfo } from '../types.ts';
import type { CommonScenarioConfig, OptionReader } from './base-config.ts';
import { ConstantArrivalRate, readConstantArrivalRate } from './constant-arrival-rate.ts';
import { ConstantVus, readConstantVus } from './constant-vus.ts';
import { PerVuIterations, readPerVuIterations } from './per-vu-iterations.ts';
import { RampingArrivalRate, readRampingArrivalRate } from './ramping-arrival-rate.ts';
import { RampingVus, readRampingVus } from './ramping-vus.ts';
import { readSharedIterations, SharedIterations } from './shared-iterations.ts';

interface Registration<C extends CommonScenarioConfig> {
  read(r: OptionReader): C;
  create(name: string, config: C, segment: SegmentInfo): Executor;
}
const register = <C extends CommonScenarioConfig>(r: Registration<C>) => r;

export const executors = {
  'shared-iterations': register({ read: readSharedIterations, create: (n, c, s) => new SharedIterations(n, c, s) }),
  'per-vu-iterations': register({ read: readPerVuIterations, create: (n, c, s) => new PerVuIterations(n, c, s) }),
  'constant-vus': register({ read: readConstantVus, create: (n, c, s) => new ConstantVus(n, c, s) }),
  'ramping-vus': register({ read: readRampingVus, create: (n, c, s) => new RampingVus(n, c, s) }),
  'constant-arrival-rate': register({ read: readConstantArrivalRate, create: (n, c, s) => new ConstantArrivalRate(n, c, s) }),
  'ramping-arrival-rate': register({ read: readRampingArrivalRate, create: (n, c, s) => new RampingArrivalRate(n, c, s) }),
};

export type ExecutorType = keyof typeof executors;
export const EXECUTOR_TYPES = Object.keys(executors) as ExecutorType[];
/** A validated scenario config: one of the executors' own configs. */
export type ScenarioConfig = ReturnType<(typeof executors)[ExecutorType]['read']>;

export function isExecutorType(name: unknown): name is ExecutorType {
  return typeof name === 'string' && Object.hasOwn(executors, name);
}

/** The executor for scenario `name` (config from normalizeScenarios) in this instance's segment. */
export function createExecutor(name: string, config: ScenarioConfig, segment: SegmentInfo): Executor {
  const entry = executors[config.executor] as Registration<ScenarioConfig> | undefined;
  if (!entry) throw new Error(`createExecutor: unknown executor ${String(config.executor)} (configs come from normalizeScenarios)`);
  return entry.create(name, config, segment);
}
