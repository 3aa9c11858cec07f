/**
 * k6's shared-iterations executor: `iterations` iterations shared by `vus` VUs (a VU that is
 * faster does more of them), ended early by `maxDuration` (default 10m). Iterations not started
 * by then are counted as dropped_iterations.
 *
 * Segments: the VUs are split by the segment (scale(vus)); iteration j of the test belongs to the
 * segment that owns VU index j mod vus, so a segment runs exactly its VUs' share of the
 * iterations, the shares sum to `iterations`, and a segment without VUs gets no iterations (none
 * are lost when there are more segments than VUs). iterationInTest is that j, in 0..iterations-1.
 */
import type { ExecVu, ScenarioProgress, ScenarioResume } from '../types.ts';
import { readCommon, readCount, readScenarioDuration, type CommonScenarioConfig, type OptionReader } from './base-config.ts';
import { BaseExecutor, GlobalIterations, pad, STOP } from './base-executor.ts';

export interface SharedIterationsConfig extends CommonScenarioConfig {
  executor: 'shared-iterations';
  vus: number;
  iterations: number;
  /** ms */
  maxDuration: number;
}

export const SHARED_ITERATIONS_MAX_DURATION = 600_000;

export function readSharedIterations(r: OptionReader): SharedIterationsConfig {
  const common = readCommon(r, 'shared-iterations');
  const vus = readCount(r, 'vus', 1, 1, 'number of VUs');
  const iterations = readCount(r, 'iterations', 1, 1, 'number of iterations');
  if (iterations < vus) r.fail('iterations', `the number of iterations (${iterations}) can't be less than the number of VUs (${vus})`);
  const maxDuration = readScenarioDuration(r, 'maxDuration', SHARED_ITERATIONS_MAX_DURATION);
  return { ...common, executor: 'shared-iterations', vus, iterations, maxDuration };
}

export class SharedIterations extends BaseExecutor<SharedIterationsConfig> {
  private readonly numbers = new GlobalIterations(this.segment, this.config.vus);
  /** This segment's share of the iterations. */
  private readonly total = this.numbers.share(this.config.iterations);
  private claimed = 0;

  maxDuration(): number {
    return this.config.maxDuration + this.config.gracefulStop;
  }

  preAllocatedVus(): number {
    return Math.min(this.segment.scale(this.config.vus), this.total);
  }

  maxVus(): number {
    return this.preAllocatedVus();
  }

  /** The iterations the lost thread started are claimed (their numbers too). */
  protected override resumeFrom(r: ScenarioResume): void {
    const skip = Math.min(this.total, r.done);
    for (; this.claimed < skip; this.claimed++) this.numbers.next();
  }

  protected async execute(): Promise<void> {
    const vus = await this.takeVus(this.preAllocatedVus());
    this.atScenarioTime(this.config.maxDuration, () => this.endScenario(this.config.gracefulStop));
    await this.startLoops(vus, (vu) => this.loop(vu));
    const dropped = this.total - this.claimed;
    if (dropped > 0) this.rt.emit('dropped_iterations', dropped);
  }

  private loop(vu: ExecVu): Promise<void> {
    return this.loopVu(
      vu,
      () => {
        if (this.stopping || this.claimed >= this.total) return STOP;
        this.claimed++;
        return this.numbers.next();
      },
      () => this.rt.returnVu(vu),
    );
  }

  progress(): ScenarioProgress {
    const done = this.completed + this.interrupted;
    const vus = this.preAllocatedVus();
    return {
      fraction: this.total === 0 ? 1 : Math.min(1, done / this.total),
      text: `${pad(done, this.total)}/${this.total} shared iters among ${vus} VUs`,
      ...this.counts(),
    };
  }
}
