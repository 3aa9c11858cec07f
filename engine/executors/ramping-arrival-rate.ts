/**
 * k6's ramping-arrival-rate executor: the rate goes from `startRate` (default 0) linearly through
 * `stages` (targets are iterations per timeUnit); iteration i starts when the area under the
 * rate curve reaches i (stages.ts rateSchedule). VUs as in arrival-rate.ts.
 */
import type { ScenarioProgress } from '../types.ts';
import { readCount, type OptionReader } from './base-config.ts';
import { ArrivalRateExecutor, formatRate, readArrivalRateCommon, type ArrivalRateCommonConfig } from './arrival-rate.ts';
import { formatDuration, formatElapsed } from '../duration.ts';
import { rateSchedule, totalDuration, type RateSchedule, type Stage } from './stages.ts';

export interface RampingArrivalRateConfig extends ArrivalRateCommonConfig {
  executor: 'ramping-arrival-rate';
  /** Iterations per timeUnit at the start; default 0. */
  startRate: number;
  stages: Stage[];
}

export function readRampingArrivalRate(r: OptionReader): RampingArrivalRateConfig {
  const common = readArrivalRateCommon(r, 'ramping-arrival-rate');
  const startRate = readCount(r, 'startRate', 0, 0, 'iterations per timeUnit at the start');
  const stages = r.stages('stages', 'iteration rate');
  if (totalDuration(stages) <= 0) r.fail('stages', 'the stages must last longer than 0s in total');
  return { ...common, executor: 'ramping-arrival-rate', startRate, stages };
}

export class RampingArrivalRate extends ArrivalRateExecutor<RampingArrivalRateConfig> {
  protected readonly length = totalDuration(this.config.stages);
  protected readonly schedule: RateSchedule = rateSchedule(this.config.startRate, this.config.stages, this.config.timeUnit);

  progress(): ScenarioProgress {
    const c = this.config;
    const elapsed = Math.min(this.elapsed(), this.length);
    return {
      ...this.baseProgress(),
      text: `${this.vusText()}  ${formatElapsed(elapsed)}/${formatDuration(this.length)}  ${formatRate(this.schedule.rateAt(elapsed), c.timeUnit)}`,
    };
  }
}
