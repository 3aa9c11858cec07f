/**
 * k6's ramping-vus executor: the number of looping VUs follows `stages` from `startVUs`
 * (default 1), linearly within each stage (stages.ts vuSteps, scaled to this segment).
 *
 * The VUs this segment needs at the peak are taken at the start and numbered by idInInstance;
 * the lowest `target` of them are active. When the target drops, the highest-numbered active VUs
 * stop first: they start no new iteration, and a running one gets gracefulRampDown (default 30s)
 * to finish before it is interrupted. After the last stage, running iterations get gracefulStop.
 */
import type { ExecVu, ScenarioProgress } from '../types.ts';
import { readCommon, readCount, type CommonScenarioConfig, type OptionReader } from './base-config.ts';
import { BaseExecutor, GlobalIterations, pad, STOP } from './base-executor.ts';
import { formatDuration, formatElapsed } from '../duration.ts';
import { maxPlannedVus, totalDuration, vuSteps, type Stage } from './stages.ts';

export interface RampingVusConfig extends CommonScenarioConfig {
  executor: 'ramping-vus';
  startVUs: number;
  stages: Stage[];
  /** ms */
  gracefulRampDown: number;
}

export const DEFAULT_GRACEFUL_RAMP_DOWN = 30_000;

export function readRampingVus(r: OptionReader): RampingVusConfig {
  const common = readCommon(r, 'ramping-vus');
  const startVUs = readCount(r, 'startVUs', 1, 0, 'VUs at the start');
  const stages = r.stages('stages', 'number of VUs');
  const gracefulRampDown = r.duration('gracefulRampDown', DEFAULT_GRACEFUL_RAMP_DOWN)!;
  if (gracefulRampDown < 0) r.fail('gracefulRampDown', `must not be negative, got ${String(r.raw.gracefulRampDown)}`);
  if (startVUs === 0 && stages.every((s) => s.target === 0)) {
    r.fail('stages', "either startVUs or one of the stages' target must be more than 0");
  }
  return { ...common, executor: 'ramping-vus', startVUs, stages, gracefulRampDown };
}

export class RampingVus extends BaseExecutor<RampingVusConfig> {
  private readonly length = totalDuration(this.config.stages);
  private readonly peak = Math.max(this.config.startVUs, ...this.config.stages.map((s) => s.target));
  private readonly numbers = new GlobalIterations(this.segment, this.peak);
  /** This segment's planned VU count right now. */
  private target = 0;
  /** Wakes a parked slot when it becomes active again or the scenario stops. */
  private readonly parked = new Map<number, () => void>();
  /** Per slot, how many iterations it has started (to tell a ramp-down's iteration from a later one). */
  private slotIterations: number[] = [];

  maxDuration(): number {
    return this.length + this.config.gracefulStop;
  }

  preAllocatedVus(): number {
    return maxPlannedVus(this.config.startVUs, this.config.stages, this.segment);
  }

  maxVus(): number {
    return this.preAllocatedVus();
  }

  /** VUs this segment's plan has active now. */
  activeVus(): number {
    return this.target;
  }

  protected async execute(): Promise<void> {
    const vus = await this.takeVus(this.preAllocatedVus());
    this.slotIterations = vus.map(() => 0);
    const steps = vuSteps(this.config.startVUs, this.config.stages, this.segment);
    // One timer at a time walks the plan (a ramp to thousands of VUs is thousands of steps).
    const walk = (k: number) => {
      this.setTarget(steps[k].vus, vus);
      if (k + 1 < steps.length) this.atScenarioTime(steps[k + 1].at, () => walk(k + 1));
    };
    walk(0);
    this.atScenarioTime(this.length, () => this.endScenario(this.config.gracefulStop));
    await this.startLoops(vus, (vu, slot) => this.loop(vu, slot));
  }

  protected override onStopping(): void {
    for (const wake of [...this.parked.values()]) wake();
  }

  private setTarget(n: number, vus: ExecVu[]): void {
    if (this.stopping) return;
    const before = this.target;
    this.target = n;
    for (let slot = before; slot < n; slot++) this.parked.get(slot)?.();
    for (let slot = n; slot < before; slot++) {
      const vu = vus[slot];
      if (!this.running.has(vu)) continue;
      const iteration = this.slotIterations[slot];
      this.after(this.config.gracefulRampDown, () => {
        // Still ramped down and still in the same iteration: its grace period is over.
        if (slot >= this.target && this.slotIterations[slot] === iteration && this.running.has(vu)) vu.interrupt();
      });
    }
  }

  private loop(vu: ExecVu, slot: number): Promise<void> {
    return this.loopVu(
      vu,
      () => {
        if (this.stopping) return STOP;
        if (slot >= this.target) return new Promise<void>((resolve) => this.parked.set(slot, resolve)).then(() => void this.parked.delete(slot));
        this.slotIterations[slot]++;
        return this.numbers.next();
      },
      () => this.rt.returnVu(vu),
    );
  }

  progress(): ScenarioProgress {
    const elapsed = Math.min(this.elapsed(), this.length);
    const max = this.preAllocatedVus();
    return {
      fraction: this.length === 0 ? 1 : Math.min(1, elapsed / this.length),
      text: `${pad(this.target, max)}/${max} VUs  ${formatElapsed(elapsed)}/${formatDuration(this.length)}`,
      ...this.counts(),
    };
  }
}
