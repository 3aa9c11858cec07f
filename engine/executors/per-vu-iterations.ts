/**
 * k6's per-vu-iterations executor: each of `vus` VUs (default 1) runs exactly `iterations`
 * iterations (default 1), ended early by `maxDuration` (default 10m); iterations a VU had not
 * started by then count as dropped_iterations.
 * Segments: this instance runs scale(vus) of the VUs, each with the full `iterations`.
 */
import type { ExecVu, ScenarioProgress, ScenarioResume } from '../types.ts';
import { readCommon, readCount, readScenarioDuration, type CommonScenarioConfig, type OptionReader } from './base-config.ts';
import { BaseExecutor, GlobalIterations, pad, STOP } from './base-executor.ts';

export interface PerVuIterationsConfig extends CommonScenarioConfig {
  executor: 'per-vu-iterations';
  vus: number;
  iterations: number;
  /** ms */
  maxDuration: number;
}

export const PER_VU_ITERATIONS_MAX_DURATION = 600_000;

export function readPerVuIterations(r: OptionReader): PerVuIterationsConfig {
  const common = readCommon(r, 'per-vu-iterations');
  const vus = readCount(r, 'vus', 1, 1, 'number of VUs');
  const iterations = readCount(r, 'iterations', 1, 1, 'number of iterations per VU');
  const maxDuration = readScenarioDuration(r, 'maxDuration', PER_VU_ITERATIONS_MAX_DURATION);
  return { ...common, executor: 'per-vu-iterations', vus, iterations, maxDuration };
}

export class PerVuIterations extends BaseExecutor<PerVuIterationsConfig> {
  private readonly numbers = new GlobalIterations(this.segment, this.config.vus);
  private dropped = 0;

  maxDuration(): number {
    return this.config.maxDuration + this.config.gracefulStop;
  }

  preAllocatedVus(): number {
    return this.segment.scale(this.config.vus);
  }

  maxVus(): number {
    return this.preAllocatedVus();
  }

  private get total(): number {
    return this.preAllocatedVus() * this.config.iterations;
  }

  /** Iterations each VU already ran on a terminated worker thread (they ran side by side: an even share). */
  private ranBefore = 0;

  protected override resumeFrom(r: ScenarioResume): void {
    const vus = this.preAllocatedVus();
    this.ranBefore = vus === 0 ? 0 : Math.min(this.config.iterations, Math.floor(r.done / vus));
    for (let i = 0; i < this.ranBefore * vus; i++) this.numbers.next();
  }

  protected async execute(): Promise<void> {
    const vus = await this.takeVus(this.preAllocatedVus());
    this.atScenarioTime(this.config.maxDuration, () => this.endScenario(this.config.gracefulStop));
    await this.startLoops(vus, (vu) => this.loop(vu));
    if (this.dropped > 0) this.rt.emit('dropped_iterations', this.dropped);
  }

  private loop(vu: ExecVu): Promise<void> {
    let started = this.ranBefore;
    return this.loopVu(
      vu,
      () => {
        if (started >= this.config.iterations || this.stopping) return STOP;
        started++;
        return this.numbers.next();
      },
      () => {
        this.dropped += this.config.iterations - started;
        this.rt.returnVu(vu);
      },
    );
  }

  progress(): ScenarioProgress {
    const done = this.completed + this.interrupted;
    const total = this.total;
    return {
      fraction: total === 0 ? 1 : Math.min(1, done / total),
      text: `${this.preAllocatedVus()} VUs  ${pad(done, total)}/${total} iters, ${this.config.iterations} per VU`,
      ...this.counts(),
    };
  }
}
