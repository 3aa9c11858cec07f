/**
 * Test doubles for the executors' surroundings (not for the executors themselves): a VU whose
 * iteration is a timer of a few ms that records every call, and an ExecutorRuntime with a
 * VU pool, a monotonic clock, an abort controller and recorded metric samples.
 *
 * The clock is real unless the test calls useVirtualClock(): then setTimeout, setImmediate and
 * performance.now() are vitest's fake timers, and runOnVirtualClock() moves time forward from one
 * timer to the next until the executor's run settles. Schedules are then exact whatever the
 * machine's load (a stalled event loop on a busy box dropped arrival-rate iterations and made
 * starts late), and a 10-second scenario takes milliseconds. Keep a few tests on the real clock
 * for what only real timers show (early-firing timers, the event loop yielding).
 */
import { vi } from 'vitest';
import type { ExecIteration, ExecVu, ExecutorRuntime, IterationOutcome, ScenarioResume, SegmentInfo, Tags } from '../../../engine/types.ts';
import { parseSegment } from '../../../engine/execution/segment.ts';

export interface IterationCall {
  vu: number;
  iterationInScenario: number;
  iterationInTest: number;
  /** rt.now() at the start and end of the iteration. */
  start: number;
  end: number;
  outcome: IterationOutcome;
}

export class FakeVu implements ExecVu {
  private wake: (() => void) | null = null;
  inIteration = false;
  constructor(
    readonly idInInstance: number,
    private readonly rt: FakeRuntime,
    private readonly iterationMs: () => number,
  ) {}

  startIteration(iter: ExecIteration): void {
    if (this.inIteration) throw new Error(`VU ${this.idInInstance} asked to run two iterations at once`);
    this.inIteration = true;
    void this.run(iter);
  }

  private async run(it: ExecIteration): Promise<void> {
    const iter = { iterationInScenario: it.iterationInScenario, iterationInTest: it.iterationInTest };
    const busy = this.rt.startBusyMs;
    if (busy > 0) {
      // the synchronous part of a real first iteration (a request's connect and write), on the real clock
      const until = performance.now() + busy;
      while (performance.now() < until);
    }
    this.rt.startLog.push(`VU ${this.idInInstance}`);
    const start = this.rt.now();
    this.rt.concurrent++;
    this.rt.maxConcurrent = Math.max(this.rt.maxConcurrent, this.rt.concurrent);
    const outcome = await new Promise<IterationOutcome>((resolve) => {
      if (this.rt.microtaskIterations) return void queueMicrotask(() => resolve('completed'));
      const t = setTimeout(() => resolve('completed'), this.iterationMs());
      this.wake = () => {
        clearTimeout(t);
        resolve('interrupted');
      };
    });
    this.wake = null;
    this.rt.concurrent--;
    this.inIteration = false;
    this.rt.calls.push({ vu: this.idInInstance, ...iter, start, end: this.rt.now(), outcome });
    it.ended(this, outcome);
  }

  interrupt(): void {
    this.rt.interrupts.push({ vu: this.idInInstance, at: this.rt.now(), running: this.inIteration });
    this.wake?.();
  }
}

export interface FakeRuntimeOptions {
  /** VUs in the pool (more are created on demand up to `limit`). */
  pool?: number;
  /** Iteration length in ms (a function for varying lengths). */
  iterationMs?: number | ((vu: number) => number);
  segment?: SegmentInfo;
  /** Delay of getVu() in ms. */
  getVuDelay?: number;
  /** Starting id for VUs (two runtimes of two segments use distinct ids). */
  firstId?: number;
  /** now() advances this many ms per real ms (< 1: timers fire before now() reaches their deadline). */
  clockRate?: number;
  /** now() starts here (ms since the test start): a runtime that takes over a scenario mid-test. */
  startAtMs?: number;
  /** The scenario is taken over from a terminated worker thread. */
  resume?: ScenarioResume;
  /** Real ms each iteration spends synchronously before its first wait (busy). */
  startBusyMs?: number;
  /** Iterations settle in a microtask: VUs that never wait for a timer or I/O. */
  microtaskIterations?: boolean;
}

export class FakeRuntime implements ExecutorRuntime {
  readonly scenario = 'test';
  readonly segment: SegmentInfo;
  readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  readonly calls: IterationCall[] = [];
  readonly interrupts: { vu: number; at: number; running: boolean }[] = [];
  readonly samples: { metric: string; value: number; tags?: Tags }[] = [];
  readonly handedOut = new Set<ExecVu>();
  readonly vus: FakeVu[] = [];
  concurrent = 0;
  maxConcurrent = 0;
  getVuCalls = 0;
  /** `VU n` as each iteration starts; tests add their own entries in between. */
  readonly startLog: string[] = [];
  readonly resume?: ScenarioResume;
  get microtaskIterations(): boolean {
    return this.opts.microtaskIterations ?? false;
  }
  get startBusyMs(): number {
    return this.opts.startBusyMs ?? 0;
  }
  private readonly free: FakeVu[] = [];
  private readonly t0 = performance.now();
  private nextId: number;

  constructor(private readonly opts: FakeRuntimeOptions = {}) {
    this.segment = opts.segment ?? parseSegment();
    this.resume = opts.resume;
    this.nextId = opts.firstId ?? 1;
    for (let i = 0; i < (opts.pool ?? 0); i++) this.free.push(this.newVu());
  }

  private newVu(): FakeVu {
    const id = this.nextId++;
    const ms = this.opts.iterationMs ?? 5;
    const vu = new FakeVu(id, this, () => (typeof ms === 'function' ? ms(id) : ms));
    this.vus.push(vu);
    return vu;
  }

  now(): number {
    return (this.opts.startAtMs ?? 0) + (performance.now() - this.t0) * (this.opts.clockRate ?? 1);
  }

  async getVu(): Promise<ExecVu> {
    this.getVuCalls++;
    if (this.opts.getVuDelay) await new Promise((r) => setTimeout(r, this.opts.getVuDelay));
    const vu = this.free.shift() ?? this.newVu();
    if (this.handedOut.has(vu)) throw new Error('VU handed out twice');
    this.handedOut.add(vu);
    return vu;
  }

  returnVu(vu: ExecVu): void {
    if (!this.handedOut.delete(vu)) throw new Error(`VU ${vu.idInInstance} returned but not handed out`);
    this.free.push(vu as FakeVu);
  }

  emit(metric: string, value: number, tags?: Tags): void {
    this.samples.push({ metric, value, tags });
  }

  sum(metric: string): number {
    return this.samples.filter((s) => s.metric === metric).reduce((a, s) => a + s.value, 0);
  }

  completed(): number {
    return this.calls.filter((c) => c.outcome === 'completed').length;
  }
}

/** Fakes the timers and clocks the executors use; undo with vi.useRealTimers() (afterEach). */
export function useVirtualClock(): void {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'performance', 'Date'],
  });
}

/**
 * Settles `work` on the virtual clock: fires the next due timer (moving time to it) until `work`
 * has settled. Bounded: a run that still has timers after `limitMs` of virtual time fails.
 */
export async function runOnVirtualClock<T>(work: Promise<T>, limitMs = 120_000): Promise<T> {
  let settled = false;
  const done = work.finally(() => {
    settled = true;
  });
  const start = performance.now();
  while (!settled) {
    if (performance.now() - start > limitMs) throw new Error(`still running after ${limitMs} ms of virtual time`);
    if (vi.getTimerCount() === 0) {
      // Nothing scheduled: let pending promise callbacks run (they may schedule the next timer).
      for (let i = 0; i < 100 && !settled && vi.getTimerCount() === 0; i++) await vi.advanceTimersByTimeAsync(0);
      if (!settled && vi.getTimerCount() === 0) throw new Error('the run waits on no timer and has not settled');
      continue;
    }
    await vi.advanceTimersToNextTimerAsync();
  }
  return done;
}
