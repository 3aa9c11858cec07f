/**
 * The open-model machinery both arrival-rate executors share. The test-wide iteration i has a
 * fixed start time (from the rate schedule, relative to the scenario start on the monotonic
 * clock: never accumulated, so no drift, and late iterations do not push later ones back).
 * Segments: iteration i belongs to the segment that owns VU index i mod maxVUs, so iterations are
 * striped by global index exactly as SegmentInfo.ownsIteration(i) whenever maxVUs is a multiple of
 * the sequence's stripe (e.g. of the worker count), and otherwise in proportion to each
 * segment's share of the VUs; a segment without VUs never owns iterations it could only drop.
 * This segment starts only the iterations it owns. At its time an
 * iteration takes a free VU; with none free it asks the runtime for another one while this
 * segment holds fewer than maxVUs (scaled); otherwise it is dropped: one `dropped_iterations`
 * sample of 1 per dropped iteration.
 */
import type { ExecVu, ScenarioProgress, ScenarioResume } from '../types.ts';
import {
  readCommon,
  readCount,
  type CommonScenarioConfig,
  type OptionReader,
} from './base-config.ts';
import { BaseExecutor, pad } from './base-executor.ts';
import type { RateSchedule } from './stages.ts';

export interface ArrivalRateCommonConfig extends CommonScenarioConfig {
  /** ms the rate refers to; default 1000. */
  timeUnit: number;
  preAllocatedVUs: number;
  /** default: preAllocatedVUs */
  maxVUs: number;
}

export function readArrivalRateCommon(r: OptionReader, executor: 'constant-arrival-rate' | 'ramping-arrival-rate') {
  const common = readCommon(r, executor);
  const timeUnit = r.duration('timeUnit', 1000)!;
  if (timeUnit <= 0) r.fail('timeUnit', `must be more than 0, got ${String(r.raw.timeUnit)}`);
  const preAllocatedVUs = readCount(r, 'preAllocatedVUs', undefined, 0, 'number of VUs to initialise before the test');
  const maxVUs = readCount(r, 'maxVUs', preAllocatedVUs, 0, 'maximum number of VUs');
  if (maxVUs < preAllocatedVUs) r.fail('maxVUs', `can't be less than preAllocatedVUs (${maxVUs} < ${preAllocatedVUs})`);
  if (maxVUs === 0) r.fail('preAllocatedVUs', 'either preAllocatedVUs or maxVUs must be more than 0');
  return { ...common, timeUnit, preAllocatedVUs, maxVUs };
}

/** A rate per timeUnit as k6 prints it: "12.50 iters/s" ("/m", "/h", or the unit in ms otherwise). */
export function formatRate(perTimeUnit: number, timeUnit: number): string {
  const unit = timeUnit === 1000 ? 's' : timeUnit === 60_000 ? 'm' : timeUnit === 3_600_000 ? 'h' : `${timeUnit}ms`;
  return `${perTimeUnit.toFixed(2)} iters/${unit}`;
}

/** Starts in a row before the scheduler yields to the event loop, when it is behind. */
const BURST = 256;

export abstract class ArrivalRateExecutor<C extends ArrivalRateCommonConfig> extends BaseExecutor<C> {
  protected abstract readonly schedule: RateSchedule;
  /** Scheduled length of the scenario (ms), gracefulStop excluded. */
  protected abstract readonly length: number;
  private readonly free: ExecVu[] = [];
  private held = 0;
  private dropped = 0;

  maxDuration(): number {
    return this.length + this.config.gracefulStop;
  }

  preAllocatedVus(): number {
    return this.segment.scale(this.config.preAllocatedVUs);
  }

  maxVus(): number {
    return this.segment.scale(this.config.maxVUs);
  }

  /** Dropped in this instance so far. */
  droppedIterations(): number {
    return this.dropped;
  }

  /** Taken over from a terminated worker thread: iterations due before this instance started are not started late. */
  private resumed: { lostAtMs: number; atMs: number } | undefined;

  protected override resumeFrom(r: ScenarioResume): void {
    this.resumed = { lostAtMs: r.lostAtMs, atMs: this.rt.now() };
  }

  protected async execute(): Promise<void> {
    const initial = await this.takeVus(this.preAllocatedVus());
    this.held = initial.length;
    this.free.push(...initial.reverse());
    this.atScenarioTime(this.length, () => this.endScenario(this.config.gracefulStop));
    const inFlight = new Set<Promise<void>>();
    const total = this.schedule.total;
    let burst = 0;
    // Every iteration due before the end starts, late if the event loop was busy (the end timer
    // may fire before the last ones' timers); only a test abort stops the schedule early.
    for (let i = 0; i < total && !this.rt.signal.aborted; i++) {
      if (!this.segment.ownsIteration(i % this.config.maxVUs)) continue;
      const due = this.startedAt + this.schedule.timeOf(i);
      if (this.resumed && due < this.resumed.atMs) {
        // The lost thread ran (or lost) those due before it went silent; those due since never started.
        if (due >= this.resumed.lostAtMs) this.drop();
        continue;
      }
      if (due > this.rt.now()) {
        burst = 0;
        await this.sleepUntil(due);
      } else if (++burst >= BURST) {
        burst = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (this.rt.signal.aborted) break;
      const p = this.start(i);
      if (p) {
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
    }
    // The schedule is done: the scenario still lasts its full length (k6 does the same), then
    // running iterations get gracefulStop (the end timer above handles both).
    await this.sleepUntil(this.startedAt + this.length);
    while (inFlight.size > 0) await Promise.all([...inFlight]);
    this.returnVus(this.free.splice(0));
  }

  /** Starts test-wide iteration i on a VU, or drops it. Returns the iteration's promise. */
  private start(i: number): Promise<void> | undefined {
    const vu = this.free.pop();
    if (vu) return this.runOn(vu, i);
    if (this.held < this.maxVus()) {
      this.held++;
      return this.rt.getVu().then(
        (got) => this.runOn(got, i),
        () => {
          this.held--;
          this.drop();
        },
      );
    }
    this.drop();
    return undefined;
  }

  private drop(): void {
    this.dropped++;
    this.rt.emit('dropped_iterations', 1);
  }

  private async runOn(vu: ExecVu, i: number): Promise<void> {
    if (this.rt.signal.aborted) {
      // The VU arrived after the test began stopping: the iteration never starts.
      this.free.push(vu);
      this.drop();
      return;
    }
    await this.iterate(vu, i);
    this.free.push(vu);
  }

  protected vusText(): string {
    return `${pad(this.running.size, this.maxVus())}/${this.maxVus()} VUs`;
  }

  protected baseProgress(): Omit<ScenarioProgress, 'text'> {
    return { fraction: Math.min(1, this.elapsed() / this.length), ...this.counts() };
  }
}
