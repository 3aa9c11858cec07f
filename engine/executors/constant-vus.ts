/**
 * k6's constant-vus executor: `vus` VUs (default 1) loop over iterations for `duration`
 * (required, at least 1s); then running iterations get gracefulStop to finish.
 * Segments: this instance runs scale(vus) of the VUs.
 */
import type { ExecVu, ScenarioProgress } from '../types.ts';
import { readCommon, readCount, readScenarioDuration, type CommonScenarioConfig, type OptionReader } from './base-config.ts';
import { BaseExecutor, GlobalIterations, STOP } from './base-executor.ts';
import { formatDuration, formatElapsed } from '../duration.ts';

export interface ConstantVusConfig extends CommonScenarioConfig {
  executor: 'constant-vus';
  vus: number;
  /** ms */
  duration: number;
}

export function readConstantVus(r: OptionReader): ConstantVusConfig {
  const common = readCommon(r, 'constant-vus');
  const vus = readCount(r, 'vus', 1, 1, 'number of VUs');
  const duration = readScenarioDuration(r, 'duration');
  return { ...common, executor: 'constant-vus', vus, duration };
}

export class ConstantVus extends BaseExecutor<ConstantVusConfig> {
  private readonly numbers = new GlobalIterations(this.segment, this.config.vus);

  maxDuration(): number {
    return this.config.duration + this.config.gracefulStop;
  }

  preAllocatedVus(): number {
    return this.segment.scale(this.config.vus);
  }

  maxVus(): number {
    return this.preAllocatedVus();
  }

  protected async execute(): Promise<void> {
    const vus = await this.takeVus(this.preAllocatedVus());
    this.atScenarioTime(this.config.duration, () => this.endScenario(this.config.gracefulStop));
    const end = this.startedAt + this.config.duration;
    await this.startLoops(vus, (vu) => this.loop(vu, end));
  }

  private loop(vu: ExecVu, end: number): Promise<void> {
    return this.loopVu(
      vu,
      () => (!this.stopping && this.rt.now() < end ? this.numbers.next() : STOP),
      () => this.rt.returnVu(vu),
    );
  }

  progress(): ScenarioProgress {
    const elapsed = Math.min(this.elapsed(), this.config.duration);
    return {
      fraction: Math.min(1, elapsed / this.config.duration),
      text: `${this.preAllocatedVus()} VUs  ${formatElapsed(elapsed)}/${formatDuration(this.config.duration)}`,
      ...this.counts(),
    };
  }
}
