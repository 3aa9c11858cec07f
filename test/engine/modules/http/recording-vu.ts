/**
 * A VuContext for testing and benchmarking k6/http alone: records every emitted sample in
 * memory (or only counts them), lets the test fire lifecycle events and interrupt the current
 * iteration, and captures log lines. The real VU (engine/vu) is not needed to test the module.
 */
import { IterationInterrupted } from '../../../../engine/errors.ts';
import { createLogger, type Logger } from '../../../../engine/log.ts';
import type { InstanceInfo, MetricType, Tags, TestControl, TimerFunctions, ValueType, VuContext, VuPhase } from '../../../../engine/types.ts';

export interface Sample {
  metric: string;
  value: number;
  tags: Tags;
  time: number;
}

type Hook = () => void | Promise<void>;

export class RecordingVu implements VuContext {
  readonly idInInstance: number;
  readonly idInTest: number;
  phase: VuPhase = 'iteration';
  readonly env: Record<string, string> = {};
  readonly options: Readonly<Record<string, unknown>>;
  readonly scriptPath = '/dev/null';
  readonly tags: Tags = { scenario: 'default' };
  setTag(name: string, value: string): void {
    this.tags[name] = value;
  }
  deleteTag(name: string): void {
    delete this.tags[name];
  }
  groupPath = '';
  iterationInInstance = 0;
  iterationInScenario = 0;
  readonly scenario = null;
  readonly instance: InstanceInfo = {
    iterationsInterrupted: 0,
    iterationsCompleted: 0,
    vusActive: 1,
    vusInitialized: 1,
    currentTestRunDuration: 0,
  };
  readonly test: TestControl = {
    abort: (reason?: string) => {
      throw new IterationInterrupted('abort');
      void reason;
    },
    fail: () => {},
  };
  readonly log: Logger;
  readonly logLines: string[] = [];
  /** All samples, unless `countOnly` (benchmarks): then only `counts`. */
  readonly samples: Sample[] = [];
  readonly counts = new Map<string, number>();
  readonly tracked: Promise<unknown>[] = [];
  private controller = new AbortController();
  readonly math: typeof Math = Object.create(Math);
  timers(): TimerFunctions {
    return { setTimeout: (cb, ms) => Number(setTimeout(cb, ms)), clearTimeout: (id) => clearTimeout(id as number), setInterval: (cb, ms) => Number(setInterval(cb, ms)), clearInterval: (id) => clearInterval(id as number) };
  }
  private readonly hooks: Record<string, Hook[]> = { iterationStart: [], iterationEnd: [], close: [] };

  constructor(options: Record<string, unknown> = {}, id = 1, private readonly countOnly = false) {
    this.idInInstance = id;
    this.idInTest = id;
    this.options = Object.freeze({ ...options });
    this.log = createLogger({ level: 'debug', write: (l) => this.logLines.push(l) });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private readonly interruptListeners: ((reason: IterationInterrupted) => void)[] = [];
  get interruption(): IterationInterrupted | null {
    const r: unknown = this.controller.signal.reason;
    return this.controller.signal.aborted ? (r instanceof IterationInterrupted ? r : new IterationInterrupted('gracefulStop')) : null;
  }

  onInterrupt(fn: (reason: IterationInterrupted) => void): void {
    this.interruptListeners.push(fn);
  }

  emit(metric: string, value: number, tags?: Tags, time?: number): void {
    if (this.countOnly) {
      this.counts.set(metric, (this.counts.get(metric) ?? 0) + 1);
      return;
    }
    const merged: Tags = { ...this.tags, ...(this.groupPath ? { group: this.groupPath } : { group: '' }), ...tags };
    this.samples.push({ metric, value, tags: merged, time: time ?? Date.now() });
  }

  emitMany(metrics: readonly string[], values: readonly number[], tags?: Tags, time?: number): void {
    for (let i = 0; i < values.length; i++) this.emit(metrics[i]!, values[i]!, tags, time);
  }

  define(_metric: string, _type: MetricType, _contains?: ValueType): void {}

  track<T>(work: Promise<T>): Promise<T> {
    this.tracked.push(work.catch(() => {}));
    return work;
  }

  sleep(): Promise<void> {
    throw new Error('RecordingVu does not sleep: run sleeping scripts on a real VU (engine/vu)');
  }

  on(event: 'iterationStart' | 'iterationEnd' | 'close', fn: Hook): void {
    this.hooks[event]!.push(fn);
  }

  async fire(event: 'iterationStart' | 'iterationEnd' | 'close'): Promise<void> {
    for (const h of this.hooks[event]!) await h();
  }

  /** Starts a new iteration: fresh signal, iterationStart hooks. */
  async startIteration(): Promise<void> {
    this.controller = new AbortController();
    this.iterationInInstance++;
    await this.fire('iterationStart');
  }

  interrupt(reason: 'gracefulStop' | 'abort' = 'gracefulStop'): void {
    const err = new IterationInterrupted(reason);
    this.controller.abort(err);
    for (const fn of this.interruptListeners) fn(err);
  }

  /** Samples of one metric. */
  of(metric: string): Sample[] {
    return this.samples.filter((s) => s.metric === metric);
  }
}
