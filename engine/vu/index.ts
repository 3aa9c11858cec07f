/**
 * The per-VU runtime (DESIGN D3): one object per virtual user that is the VU's `VuContext` (what
 * k6 modules see), runs the script's module function once for the VU's own module scope, and
 * runs iterations and lifecycle functions.
 *
 * Cheap by construction: every method lives on the prototype; per VU there are the fields below,
 * the script's own closures, the module instances it imports, a `__k6` runtime object, four timer
 * functions and an `open` function. AbortControllers, timer maps and hook lists are created only
 * when used.
 */
import { performance } from 'node:perf_hooks';
import { EngineError, ExitCode, IterationInterrupted, ScriptLoadError, TestAborted } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { LoadedScript } from '../loader/index.ts';
import { consoleFor } from '../modules/console.ts';
import { openFile } from '../modules/open.ts';
import type {
  InstanceInfo,
  IterationOutcome,
  MetricSink,
  MetricType,
  ScenarioInfo,
  Tags,
  TestControl,
  TimerFunctions,
  ValueType,
  VuContext,
  VuPhase,
} from '../types.ts';
import { ScriptRuntime } from './script-runtime.ts';
import { isThenable, WorkTracker } from './work-tracker.ts';

export interface VuInit {
  idInInstance: number;
  idInTest: number;
  env: Record<string, string>;
  options: Record<string, unknown>;
  sink: MetricSink;
  log: Logger;
  instance: () => InstanceInfo;
  test: TestControl;
}

export interface IterationRun {
  /** Name of the exported function to call ('default' unless the scenario sets `exec`). */
  exec: string;
  scenario: ScenarioInfo;
  iterationInScenario: number;
  /** The scenario's tags (merged into the VU's tags for this iteration): one object per scenario, not changed after it starts (the VU keeps their string values). */
  tags: Tags;
  /** The scenario's env (merged over the VU's env for this iteration). */
  env?: Record<string, string>;
  /** setup()'s result; JSON-cloned once per VU. */
  data: unknown;
  /**
   * Called once the iteration has ended, after its samples were emitted (before runIteration's
   * promise resolves). The runner counts here and continues its loop: an async function around the
   * call would be a frame every sleeping VU holds.
   */
  ended?: (outcome: IterationOutcome) => void;
}

export type InterruptReason = 'gracefulStop' | 'abort' | 'signal';
export type LifecycleName = 'setup' | 'teardown' | 'handleSummary';

export interface Vu {
  readonly context: VuContext;
  readonly exports: Readonly<Record<string, unknown>>;
  readonly idInInstance: number;
  /**
   * Starts one iteration; `run.ended` is called when it has ended (never an error: a failure of the
   * VU's own machinery, a module's hook or the sink, is logged and ends it as 'interrupted'). No
   * promise, so an executor's loop holds nothing per iteration while the script sleeps.
   */
  startIteration(run: IterationRun): void;
  /** startIteration as a promise, for callers that await one iteration (tests, benchmarks). Never rejects. */
  runIteration(run: IterationRun): Promise<IterationOutcome>;
  interrupt(reason?: InterruptReason): void;
  callLifecycle(name: LifecycleName, arg?: unknown, timeoutMs?: number): Promise<unknown>;
  close(): Promise<void>;
}

type Hook = () => void | Promise<void>;

type HookEvent = 'iterationStart' | 'iterationEnd' | 'close';

const lifecycleTimeoutCode: Record<LifecycleName, EngineError['exitCode']> = {
  setup: ExitCode.SetupTimeout,
  teardown: ExitCode.TeardownTimeout,
  handleSummary: ExitCode.GenericTimeout,
};

const noData = Symbol('noData');

/** An iteration's samples, in one constant list (the collector resolves a list once, by identity). */
const ITERATION_METRICS = ['iterations', 'iteration_duration'] as const;

/** Shallow value equality of two tag sets (undefined equals only undefined). */
function sameTags(a: Tags | undefined, b: Tags | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  let n = 0;
  for (const k in b) {
    if (a[k] !== String(b[k])) return false;
    n++;
  }
  for (const _ in a) n--;
  return n === 0;
}

class VirtualUser implements Vu, VuContext {
  phase: VuPhase = 'init';
  groupPath = '';
  iterationInInstance = 0;
  iterationInScenario = 0;
  scenario: ScenarioInfo | null = null;
  env: Record<string, string>;
  tags: Tags;
  exports: Readonly<Record<string, unknown>> = {};
  /** Per-VU `Math`: the realm's Math with `random` replaced after `randomSeed`. */
  readonly math: typeof Math = Object.create(Math);

  private started = 0;
  private controller: AbortController | null = null;
  private interruptedBy: InterruptReason | null = null;
  /** The error blocking calls of an interrupted iteration reject with (made on first use). */
  private interruptError: IterationInterrupted | null = null;
  private interruptListeners: ((reason: IterationInterrupted) => void)[] | null = null;
  /** The running iteration. */
  private iteration: IterationRun | null = null;
  /** Resolves runIteration's promise when the running iteration was started by it. */
  private iterationPromise: ((outcome: IterationOutcome) => void) | null = null;
  /** True while the script's function (or the work it left) runs: an interrupt ends the body then. */
  private inBody = false;
  /** performance.now() when the body started (iteration_duration). */
  private bodyStart = 0;
  /** The running iteration's script function's promise, awaited a moment after an interrupt. */
  private body: PromiseLike<unknown> | null = null;
  /** `body` has not settled yet. */
  private bodyPending = false;
  /**
   * What `body` settles into, shared by the iterations: two closures and a context per iteration
   * otherwise, held by the body's promise across every sleep and copied by each scavenge (issue 21).
   * A body dropped unsettled (interrupted) keeps the pair it was given, which is retired then, so
   * its late settling ends nothing.
   */
  private bodyWatch = this.newBodyWatch();
  private hooks: Partial<Record<HookEvent, Hook[]>> | null = null;
  private modules: Record<string, Record<string, unknown>> = {};
  private readonly work = new WorkTracker();
  private timerFunctions: TimerFunctions | null = null;
  /** The scenario tags last applied (run.tags: runner/instance.ts builds one object per scenario and never changes it) and their keys and string values. */
  private scenarioTags: Tags | null = null;
  private scenarioTagKeys: string[] = [];
  private scenarioTagValues: string[] = [];
  private lastEnvSource: Record<string, string> | undefined = undefined;
  private dataSource: unknown = noData;
  private dataCopy: unknown = undefined;
  /** Cached merges (see mergedTags). */
  /** Bumped whenever `tags` changes (setTag, deleteTag, a scenario's tags): merges built at an older version are stale. */
  private tagsVersion = 0;
  private baseTags: { group: string; version: number; merged: Tags } | null = null;
  /** `frozen`: `ref` was frozen when this merge was built, so it cannot have changed since. */
  private callMerge: { ref: Tags; frozen: boolean; callTags: Tags; merged: Tags } | null = null;

  constructor(
    private readonly script: LoadedScript,
    private readonly init: VuInit,
  ) {
    this.env = init.env;
    const optionTags = init.options.tags;
    this.tags = optionTags && typeof optionTags === 'object' ? { ...(optionTags as Tags) } : {};
  }

  // --- VuContext ------------------------------------------------------------------------------
  get context(): VuContext {
    return this;
  }
  get idInInstance(): number {
    return this.init.idInInstance;
  }
  get idInTest(): number {
    return this.init.idInTest;
  }
  get options(): Readonly<Record<string, unknown>> {
    return this.init.options;
  }
  get scriptPath(): string {
    return this.script.scriptPath;
  }
  get instance(): InstanceInfo {
    return this.init.instance();
  }
  get test(): TestControl {
    return this.init.test;
  }
  get log(): Logger {
    return this.init.log;
  }
  get interruption(): IterationInterrupted | null {
    if (!this.interruptedBy) return null;
    this.interruptError ??= new IterationInterrupted(this.interruptedBy);
    return this.interruptError;
  }

  onInterrupt(fn: (reason: IterationInterrupted) => void): void {
    (this.interruptListeners ??= []).push(fn);
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      const interrupted = this.interruption;
      if (interrupted) this.controller.abort(interrupted);
    }
    return this.controller.signal;
  }

  emit(metric: string, value: number, tags?: Tags, time?: number): void {
    this.init.sink.add(metric, value, this.mergedTags(tags), time);
  }

  emitMany(metrics: readonly string[], values: readonly number[], tags?: Tags, time?: number): void {
    const merged = this.mergedTags(tags);
    const sink = this.init.sink;
    if (sink.addMany !== undefined) sink.addMany(metrics, values, merged, time);
    else for (let i = 0; i < values.length; i++) sink.add(metrics[i]!, values[i]!, merged, time);
  }

  /**
   * The VU's tags, its group and the call-site tags in one object. A request emits ~9 samples with
   * the same inputs, so merges are reused while their inputs are unchanged: the VU's own tags by
   * their version (they change only through setTag/deleteTag and applyScenario), call-site tags by
   * value (compared, not trusted by identity: scripts may mutate a tags object between calls; a
   * set that was frozen when merged is the one exception). Two caches: the VU-only set
   * (iterations, data_sent, …) and the last call-site merge built on it, so an iteration's mix of
   * both kinds does not evict one another. Sinks never mutate what they get.
   */
  private mergedTags(tags: Tags | undefined): Tags {
    let base = this.baseTags;
    if (base === null || base.group !== this.groupPath || base.version !== this.tagsVersion) {
      const merged: Tags = Object.assign({}, this.tags);
      merged.group = this.groupPath;
      base = this.baseTags = { group: this.groupPath, version: this.tagsVersion, merged };
      this.callMerge = null;
    }
    if (tags === undefined) return base.merged;
    const c = this.callMerge;
    if (c !== null && ((tags === c.ref && c.frozen) || sameTags(c.callTags, tags))) return c.merged;
    const merged: Tags = Object.assign({}, base.merged);
    const callTags: Tags = {};
    for (const k in tags) merged[k] = callTags[k] = String(tags[k]);
    this.callMerge = { ref: tags, frozen: Object.isFrozen(tags), callTags, merged };
    return merged;
  }

  setTag(name: string, value: string): void {
    if (this.tags[name] === value) return;
    this.tags[name] = value;
    this.tagsVersion++;
  }

  deleteTag(name: string): void {
    if (!Object.hasOwn(this.tags, name)) return;
    delete this.tags[name];
    this.tagsVersion++;
  }

  define(metric: string, type: MetricType, contains?: ValueType): void {
    this.init.sink.define(metric, type, contains);
  }

  track<T>(work: Promise<T>): Promise<T> {
    return this.work.track(work);
  }

  sleep(ms: number): Promise<void> {
    const interrupted = this.interruption;
    // rejected on the next macrotask: a script that swallows the error in a loop cannot starve the event loop
    if (interrupted) return new Promise((_, reject) => setImmediate(() => reject(interrupted)));
    if (!(ms > 0)) return Promise.resolve();
    return this.work.sleep(ms);
  }

  on(event: HookEvent, fn: Hook): void {
    this.hooks ??= {};
    (this.hooks[event] ??= []).push(fn);
  }

  // --- script runtime host --------------------------------------------------------------------
  moduleInstance(name: string): Record<string, unknown> {
    let m = this.modules[name];
    if (m) return m;
    const factory = this.script.modules.get(name);
    if (!factory) throw new Error(`module "${name}" is not available in the engine`);
    m = factory(this);
    this.modules[name] = m;
    return m;
  }

  /** `setTimeout`/`setInterval` callbacks may be async (blocking code made async): the tracker awaits them. */
  timers(): TimerFunctions {
    if (this.timerFunctions) return this.timerFunctions;
    const work = this.work;
    return (this.timerFunctions = {
      setTimeout: (cb: (...a: unknown[]) => unknown, ms?: number, ...args: unknown[]) => work.setTimeout(cb, ms, args),
      clearTimeout: (id: unknown) => work.clear(id),
      setInterval: (cb: (...a: unknown[]) => unknown, ms?: number, ...args: unknown[]) => work.setInterval(cb, ms, args),
      clearInterval: (id: unknown) => work.clear(id),
    });
  }

  // --- init -----------------------------------------------------------------------------------
  async initialise(): Promise<void> {
    for (const w of this.script.warnings) this.init.log.once(`script-warning:${w}`, 'warning', w);
    const t = this.timers();
    try {
      const exports = await this.script.moduleFunction(
        new ScriptRuntime(this),
        t.setTimeout,
        t.clearTimeout,
        t.setInterval,
        t.clearInterval,
        consoleFor(this.init.log),
        (p: unknown, mode?: unknown) => openFile(this, p, mode),
        this.math,
        scriptRequire,
      );
      await this.settleWork();
      this.exports = Object.freeze(exports);
    } catch (err) {
      this.work.clearAll();
      // exec.test.abort() in init code ends the test with 108, not as a script error
      if (err instanceof IterationInterrupted && err.reason === 'abort') throw new TestAborted();
      throw new ScriptLoadError(this.describeError(err));
    }
  }

  // --- iterations -----------------------------------------------------------------------------
  /**
   * Runs one iteration: the iterationStart hooks, the script's function and the work it left
   * behind (or an interrupt, whichever comes first), the iterationEnd hooks, the iteration samples.
   * Written as steps that call one another rather than one async function: a sleeping VU holds
   * every suspended async frame between the executor and the script (~0.4 KB each, outliving a
   * scavenge or two, issue 21), so the iteration's state lives in this VU's fields, and its end
   * is told to `run.ended` (no promise at all).
   */
  startIteration(run: IterationRun): void {
    this.iteration = run;
    try {
      this.phase = 'iteration';
      this.iterationInInstance = this.started++;
      this.iterationInScenario = run.iterationInScenario;
      this.scenario = run.scenario;
      this.applyScenario(run);
      this.groupPath = '';
      // The signal lives on until it is used: a fresh AbortController per iteration (and the
      // listeners modules hang on it) cost ~10 % of a request-bound iteration's CPU.
      if (this.interruptedBy) this.controller = null;
      this.interruptedBy = null;
      this.interruptError = null;
      const pending = this.hooks?.iterationStart ? this.fire('iterationStart') : undefined;
      if (pending) pending.then(() => this.startBody(), (err) => this.iterationFailed(err));
      else this.startBody();
    } catch (err) {
      this.iterationFailed(err);
    }
  }

  runIteration(run: IterationRun): Promise<IterationOutcome> {
    return new Promise<IterationOutcome>((resolve) => {
      this.iterationPromise = resolve;
      this.startIteration(run);
    });
  }

  /** Calls the script's function; its promise (or an interrupt) ends the body. */
  private startBody(): void {
    this.bodyStart = performance.now();
    this.inBody = true;
    const run = this.iteration!;
    if (this.interruptedBy) return this.endBody('interrupted'); // interrupted while the iterationStart hooks ran
    let r: unknown;
    try {
      const fn = this.exports[run.exec];
      if (typeof fn !== 'function') throw new Error(`the script exports no function named "${run.exec}"`);
      r = (fn as (data: unknown) => unknown)(this.setupData(run.data));
    } catch (err) {
      return this.bodyThrew(err);
    }
    if (!this.inBody) return; // exec.test.abort() interrupted this VU before the function returned
    if (!isThenable(r)) return this.bodyReturned(null);
    this.body = r;
    this.bodyPending = true;
    r.then(this.bodyWatch.returned, this.bodyWatch.threw);
  }

  private newBodyWatch(): { live: boolean; returned: () => void; threw: (err: unknown) => void } {
    const watch = {
      live: true,
      returned: (): void => {
        if (!watch.live) return;
        this.bodyPending = false;
        if (this.inBody) this.bodyReturned(this.body);
      },
      threw: (err: unknown): void => {
        if (!watch.live) return;
        this.bodyPending = false;
        if (this.inBody) this.bodyThrew(err);
      },
    };
    return watch;
  }

  /** The iteration is done with its body; one still pending retires the callbacks it holds. */
  private dropBody(): void {
    if (this.bodyPending) {
      this.bodyWatch.live = false;
      this.bodyWatch = this.newBodyWatch();
      this.bodyPending = false;
    }
    this.body = null;
  }

  /** The script's function returned: the body ends once the work it left behind (timers, asyncRequest) settled. */
  private bodyReturned(r: PromiseLike<unknown> | null): void {
    if (this.work.pendingCount > 0) {
      this.settleWork().then(
        () => this.body === r && this.inBody && this.endBody('completed'),
        (err) => this.body === r && this.inBody && this.bodyThrew(err),
      );
      return;
    }
    const failed = this.work.takeError();
    if (failed) this.bodyThrew(failed.error);
    else this.endBody('completed');
  }

  /**
   * The script's function or its work threw. k6 counts such an iteration as a full one
   * (iterations, iteration_duration, "complete"): only an interruption (gracefulStop, abort, a stop
   * signal) is not.
   */
  private bodyThrew(err: unknown): void {
    if (!this.inBody) return;
    if (err instanceof IterationInterrupted || this.interruptedBy) return this.endBody('interrupted');
    this.work.clearAll();
    this.logException(err);
    this.endBody('completed');
  }

  /**
   * The body ended. After an interrupt the script's coroutine gets a moment to unwind (its pending
   * blocking call rejects at once) before the VU is reused, so it does not run on into the next
   * iteration.
   */
  private endBody(outcome: IterationOutcome): void {
    if (!this.inBody) return;
    this.inBody = false;
    const duration = performance.now() - this.bodyStart;
    if (outcome === 'interrupted') {
      this.work.clearAll();
      const body = this.body;
      if (body) {
        settleAfterInterrupt(body).then(() => this.endIteration(outcome, duration));
        return;
      }
    }
    this.endIteration(outcome, duration);
  }

  private endIteration(outcome: IterationOutcome, duration: number): void {
    this.dropBody();
    if (outcome === 'interrupted') this.work.clearAll();
    this.groupPath = '';
    try {
      const pending = this.hooks?.iterationEnd ? this.fire('iterationEnd') : undefined;
      if (pending) {
        pending.then(() => this.iterationDone(outcome, duration), (err) => this.iterationFailed(err));
        return;
      }
    } catch (err) {
      return this.iterationFailed(err);
    }
    this.iterationDone(outcome, duration);
  }

  private iterationDone(outcome: IterationOutcome, duration: number): void {
    try {
      if (outcome === 'completed') {
        this.emitMany(ITERATION_METRICS, [1, duration], undefined, Date.now());
      }
    } catch (err) {
      return this.iterationFailed(err);
    }
    this.settle(outcome);
  }

  /** The iteration has ended: tells `run.ended` and runIteration's promise. */
  private settle(outcome: IterationOutcome): void {
    const run = this.iteration!;
    const promised = this.iterationPromise;
    this.iteration = null;
    this.iterationPromise = null;
    run.ended?.(outcome);
    promised?.(outcome);
  }

  /**
   * The iteration's own machinery threw (a module's hook, the sink): logged, and the iteration ends
   * as interrupted (no iteration samples), so executors never see a rejection.
   */
  private iterationFailed(err: unknown): void {
    if (!this.iteration) return;
    this.inBody = false;
    this.dropBody();
    this.work.clearAll();
    this.logException(err);
    this.settle('interrupted');
  }

  interrupt(reason: InterruptReason = 'gracefulStop'): void {
    if (this.interruptedBy) return;
    this.interruptedBy = reason;
    this.stopBlockingCalls(reason);
    if (this.inBody) this.endBody('interrupted');
  }

  /** Aborts the signal modules' blocking calls listen to, and rejects the pending sleeps. */
  private stopBlockingCalls(reason: InterruptReason): void {
    const err = new IterationInterrupted(reason);
    this.interruptError = err;
    this.controller?.abort(err);
    if (this.interruptListeners) for (const fn of this.interruptListeners) fn(err);
    this.work.rejectSleeps(err);
  }

  private applyScenario(run: IterationRun): void {
    // Keys are deleted only when the scenario's tags change: a delete per iteration turned the VU's
    // tags into a dictionary-mode object, slow to read for every merge (issue 21). They are written
    // again every iteration, so a script's exec.vu.tags cannot keep a scenario tag overwritten.
    const tags = run.tags;
    if (tags !== this.scenarioTags) {
      for (const k of this.scenarioTagKeys) delete this.tags[k];
      this.tagsVersion++;
      this.scenarioTags = tags;
      this.scenarioTagKeys = Object.keys(tags ?? {});
      this.scenarioTagValues = this.scenarioTagKeys.map((k) => String(tags[k]));
    }
    const keys = this.scenarioTagKeys;
    const values = this.scenarioTagValues;
    for (let i = 0; i < keys.length; i++) this.setTag(keys[i]!, values[i]!);
    this.setTag('scenario', run.scenario.name);
    if (run.env !== this.lastEnvSource) {
      this.lastEnvSource = run.env;
      this.env = run.env && Object.keys(run.env).length > 0 ? { ...this.init.env, ...run.env } : this.init.env;
    }
  }

  private setupData(data: unknown): unknown {
    if (data !== this.dataSource) {
      this.dataSource = data;
      this.dataCopy = data === undefined ? undefined : JSON.parse(JSON.stringify(data));
    }
    return this.dataCopy;
  }

  /** Waits until timers and tracked work settled; rethrows a timer callback's exception. */
  private async settleWork(): Promise<void> {
    while (this.work.pendingCount > 0) {
      await this.work.whenIdle();
      this.throwWorkError();
    }
    this.throwWorkError();
  }

  /** Rethrows the first exception a timer callback or async request threw since the last check. */
  private throwWorkError(): void {
    const failed = this.work.takeError();
    if (failed) throw failed.error;
  }

  /**
   * Runs the event's hooks in order. Synchronous hooks (k6/http's cookie reset and byte counters:
   * every iteration) run without a promise; from the first hook that returns one, the rest wait for
   * it and the returned promise settles when all have run.
   */
  private fire(event: HookEvent, from = 0): Promise<void> | undefined {
    const list = this.hooks?.[event];
    if (!list) return undefined;
    for (let i = from; i < list.length; i++) {
      const r = list[i]!();
      if (r) return Promise.resolve(r).then(() => this.fire(event, i + 1));
    }
    return undefined;
  }

  // --- lifecycle ------------------------------------------------------------------------------
  async callLifecycle(name: LifecycleName, arg?: unknown, timeoutMs?: number): Promise<unknown> {
    const fn = this.exports[name];
    if (typeof fn !== 'function') return undefined;
    const previousPhase = this.phase;
    this.phase = name === 'handleSummary' ? 'summary' : name;
    this.groupPath = '';
    this.controller = null;
    this.interruptedBy = null;
    this.interruptError = null;
    const input = name === 'teardown' && arg !== undefined ? JSON.parse(JSON.stringify(arg)) : arg;
    const body = (async () => {
      const result = await fn(input);
      await this.settleWork();
      return result;
    })();
    let timer: NodeJS.Timeout | undefined;
    const limit =
      timeoutMs !== undefined && timeoutMs > 0
        ? new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              this.interruptedBy = 'gracefulStop';
              this.stopBlockingCalls('gracefulStop');
              this.work.clearAll();
              reject(new EngineError(`${name}() execution timed out after ${Math.round(timeoutMs / 1000)} seconds`, lifecycleTimeoutCode[name]));
            }, timeoutMs);
          })
        : null;
    try {
      return await (limit ? Promise.race([body, limit]) : body);
    } catch (err) {
      if (err instanceof EngineError) throw err;
      if (err instanceof IterationInterrupted) throw err.reason === 'abort' ? new TestAborted() : err;
      throw new EngineError(this.describeError(err), ExitCode.ScriptException);
    } finally {
      if (timer) clearTimeout(timer);
      body.catch(() => undefined);
      this.phase = previousPhase;
    }
  }

  async close(): Promise<void> {
    this.work.clearAll();
    this.stopBlockingCalls('signal');
    await this.fire('close');
    this.hooks = null;
    this.modules = {};
  }

  // --- errors ---------------------------------------------------------------------------------
  /** `file:line: Error: message` with the original location (one line), for init/setup failures. */
  private describeError(err: unknown): string {
    if (err instanceof ScriptLoadError) return err.message;
    const where = this.script.errorLocation(err) ?? '';
    const text = err instanceof Error ? `${err.name}: ${err.message}` : `Uncaught ${formatThrown(err)}`;
    return where ? `${where}: ${text}` : text;
  }

  /** Logs an iteration's exception k6-style: the message and its stack, mapped to the original file:line. */
  private logException(err: unknown): void {
    const text = err instanceof Error ? this.script.mapStack(err.stack ?? `${err.name}: ${err.message}`) : this.script.mapThrown(err, `Uncaught ${formatThrown(err)}`);
    const fields: Record<string, string> = { source: 'stacktrace' };
    const where = this.script.errorLocation(err);
    if (where) fields.at = where;
    if (this.scenario) fields.scenario = this.scenario.name;
    this.init.log.error(text, fields);
  }
}

/**
 * After an interrupt, gives the iteration's coroutine a moment to unwind (its pending blocking call
 * rejects at once) before the VU is reused, so it does not run on into the next iteration.
 * A script that catches the interruption and blocks on something unabortable is left behind
 * after the grace period (documented limitation: k6 can kill a VU's JS, Node cannot).
 */
const interruptGraceMs = 200;
async function settleAfterInterrupt(body: PromiseLike<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, interruptGraceMs);
  });
  await Promise.race([body.then(noop, noop), grace]);
  clearTimeout(timer);
}
const noop = () => undefined;

/** The script's `require`: CommonJS k6 scripts are not supported (their blocking calls could not be found). */
export function scriptRequire(name: unknown): never {
  throw new Error(`require(${JSON.stringify(name)}) is not supported by the aetos-load engine: use import (ES modules), as k6's documentation does`);
}

function formatThrown(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Creates a VU and runs the script's init code for it (exceptions: ScriptLoadError, exit 107, with file:line). */
export async function createVu(script: LoadedScript, init: VuInit): Promise<Vu> {
  const vu = new VirtualUser(script, init);
  await vu.initialise();
  vu.phase = 'iteration';
  return vu;
}
