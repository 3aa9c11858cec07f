/**
 * k6's constant-arrival-rate executor: `rate` iterations per `timeUnit` (default 1s) for
 * `duration`, iteration i starting at i·timeUnit/rate whatever earlier ones do, on
 * preAllocatedVUs (required) growing up to maxVUs (default preAllocatedVUs). See arrival-rate.ts.
 */
import type { ScenarioProgress } from '../types.ts';
import { readScenarioDuration, type OptionReader } from './base-config.ts';
import { ArrivalRateExecutor, formatRate, readArrivalRateCommon, type ArrivalRateCommonConfig } from './arrival-rate.ts';
import { formatDuration, formatElapsed } from '../duration.ts';
import { rateSchedule, type RateSchedule } from './stages.ts';

export interface ConstantArrivalRateConfig extends ArrivalRateCommonConfig {
  executor: 'constant-arrival-rate';
  /** Iterations per timeUnit. */
  rate: number;
  /** ms */
  duration: number;
}

export function readConstantArrivalRate(r: OptionReader): ConstantArrivalRateConfig {
  const common = readArrivalRateCommon(r, 'constant-arrival-rate');
  if (!r.has('rate')) r.fail('rate', 'is required (iterations to start per timeUnit)');
  const rate = r.int('rate')!;
  if (rate <= 0) r.fail('rate', `must be more than 0, got ${rate}`);
  const duration = readScenarioDuration(r, 'duration');
  return { ...common, executor: 'constant-arrival-rate', rate, duration };
}

export class ConstantArrivalRate extends ArrivalRateExecutor<ConstantArrivalRateConfig> {
  protected readonly length = this.config.duration;
  protected readonly schedule: RateSchedule = constantSchedule(this.config);

  progress(): ScenarioProgress {
    const c = this.config;
    const elapsed = Math.min(this.elapsed(), c.duration);
    return {
      ...this.baseProgress(),
      text: `${this.vusText()}  ${formatElapsed(elapsed)}/${formatDuration(c.duration)}  ${formatRate(c.rate, c.timeUnit)}`,
    };
  }
}

/** Iteration i at exactly i·timeUnit/rate; as many as start before `duration`. */
function constantSchedule(c: ConstantArrivalRateConfig): RateSchedule {
  const general = rateSchedule(c.rate, [{ duration: c.duration, target: c.rate }], c.timeUnit);
  return {
    total: Math.ceil((c.duration * c.rate) / c.timeUnit),
    timeOf: (i) => (i * c.timeUnit) / c.rate,
    rateAt: general.rateAt,
  };
}
