/**
 * The contracts between the engine's parts. Each part (loader/VU runtime, executors, runner,
 * k6 modules, metrics, outputs) implements or consumes one of these interfaces and nothing
 * else of the others, so each can be built and tested alone.
 *
 *   runner ──creates──▶ Vu (engine/vu) ──instantiates──▶ k6 modules (ModuleFactory, per VU)
 *     │                    │ emits samples through VuContext.emit ──▶ MetricSink (engine/metrics)
 *     └──drives──▶ Executor (engine/executors) ──asks──▶ ExecutorRuntime (runner) for ExecVu
 */
import type { IterationInterrupted } from './errors.ts';
import type { Logger } from './log.ts';

/** Metric tags: k6's system tags (scenario, group, method, url, name, status, …) and user tags. */
export type Tags = Record<string, string>;

// ---------------------------------------------------------------------------------------------
// Metrics (engine/metrics implements; everything else emits)
// ---------------------------------------------------------------------------------------------

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
/** k6's "contains": what a value means, for display (ms, bytes) and for handleSummary's `contains`. */
export type ValueType = 'default' | 'time' | 'data';

/** Where samples go. One sink per process (worker thread); it aggregates in constant memory. */
export interface MetricSink {
  /** Declares a metric; idempotent for the same type, throws on a type conflict. Built-ins are pre-declared. */
  define(name: string, type: MetricType, contains?: ValueType): void;
  /** Records one sample. `time` is ms since the epoch (default: now). Tags are taken as given (already merged). */
  add(name: string, value: number, tags: Tags, time?: number): void;
  /**
   * Optional: `add(names[i], values[i], tags, time)` for each value, in order (a request's ~9
   * samples). A sink may resolve a `names` list it has seen before by identity, so callers pass
   * one constant list rather than a new array per call.
   */
  addMany?(names: readonly string[], values: readonly number[], tags: Tags, time?: number): void;
}

// ---------------------------------------------------------------------------------------------
// What a VU's modules see (engine/vu implements; k6 modules consume)
// ---------------------------------------------------------------------------------------------

export type VuPhase = 'init' | 'setup' | 'iteration' | 'teardown' | 'summary';

/** The scenario a VU is executing, as `k6/execution`'s `scenario` object reports it. */
export interface ScenarioInfo {
  readonly name: string;
  readonly executor: string;
  /** ms since the epoch when the scenario started. */
  readonly startTime: number;
  /** 0..1 */
  progress(): number;
  /** Iteration number of the current iteration in this scenario across this instance (segment). */
  readonly iterationInInstance: number;
  /** Iteration number of the current iteration in this scenario across the whole test (all segments). */
  readonly iterationInTest: number;
}

/** `k6/execution`'s `instance` object: this process's (segment's) view. */
export interface InstanceInfo {
  readonly iterationsInterrupted: number;
  readonly iterationsCompleted: number;
  readonly vusActive: number;
  readonly vusInitialized: number;
  /** ms since the test started. */
  readonly currentTestRunDuration: number;
}

/** Test-wide control reachable from a VU (`exec.test.abort()`, `exec.test.fail()`). */
export interface TestControl {
  /** Stops the whole test; exit 108. Throws IterationInterrupted('abort') in the caller. */
  abort(reason?: string): never;
  /** Marks the test failed (exit 110) but lets it run on. */
  fail(reason?: string): void;
}

/** Per-VU context handed to every k6 module factory. One per VU; cheap. */
export interface VuContext {
  /** __VU: 1-based within this instance; 0 in the init context of setup/teardown/options VUs. */
  readonly idInInstance: number;
  readonly idInTest: number;
  readonly phase: VuPhase;
  /** __ENV as the script sees it. */
  readonly env: Record<string, string>;
  /** Consolidated options (k6's shape, `exec.test.options`). Frozen. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Absolute path of the script the user ran (the .ts when given a .ts): `open()` resolves relative to its folder. */
  readonly scriptPath: string;
  /**
   * `exec.vu.tags`: merged into every sample this VU emits (includes `scenario` and options.tags).
   * Read-only here: changed only through setTag/deleteTag, which tell the VU its merged tag sets
   * are stale (it does not compare them again for every sample).
   */
  readonly tags: Readonly<Tags>;
  setTag(name: string, value: string): void;
  deleteTag(name: string): void;
  /** Current group path: '' at the root, '::a::b' inside group b in group a. Emitted as the `group` tag. */
  groupPath: string;
  /** __ITER: iterations this VU started in this instance, over all scenarios. */
  readonly iterationInInstance: number;
  /** `exec.vu.iterationInScenario`. */
  readonly iterationInScenario: number;
  /** The scenario being executed, null outside iterations. */
  readonly scenario: ScenarioInfo | null;
  readonly instance: InstanceInfo;
  readonly test: TestControl;
  /** Aborted when the current iteration must stop (gracefulStop elapsed, abort, second Ctrl-C). Changes per iteration. */
  readonly signal: AbortSignal;
  /** Why the current iteration was interrupted, or null: what a blocking call checks before it starts. */
  readonly interruption: IterationInterrupted | null;
  /**
   * Calls `fn` whenever an iteration of this VU is interrupted, for the VU's whole life: what a
   * module with its own pending work registers once. `signal` costs an AbortController and a
   * listener per VU (a hidden class of its own each, ~0.6 KB at 10,000 VUs).
   */
  onInterrupt(fn: (reason: IterationInterrupted) => void): void;
  readonly log: Logger;
  /** Emits a sample with this VU's tags and group merged under `tags` (call-site tags win). */
  emit(metric: string, value: number, tags?: Tags, time?: number): void;
  /**
   * Emits `values[i]` to `metrics[i]` for every value given, all with the same tags, merged once
   * (a request's nine samples share their tags: merging them nine times was a hot-path cost).
   */
  emitMany(metrics: readonly string[], values: readonly number[], tags?: Tags, time?: number): void;
  /** Declares a custom metric (k6/metrics constructors, init phase only). */
  define(metric: string, type: MetricType, contains?: ValueType): void;
  /**
   * Registers in-flight async work (a timer, an asyncRequest): the iteration ends only when all
   * tracked work settled (D3, k6's event-loop rule). Returns the same promise.
   */
  track<T>(work: Promise<T>): Promise<T>;
  /**
   * k6's sleep: resolves after `ms` (at once for ms ≤ 0 or NaN), tracked like other work; rejects
   * with IterationInterrupted as soon as the iteration is interrupted (on the next macrotask when
   * it already was, so a script that swallows the error in a loop cannot starve the event loop).
   */
  sleep(ms: number): Promise<void>;
  /** Lifecycle hooks for modules: http resets its cookie jar on iterationStart, closes connections on close. */
  on(event: 'iterationStart' | 'iterationEnd' | 'close', fn: () => void | Promise<void>): void;
  /** This VU's `Math` (k6's `randomSeed` replaces its `random`, for this VU only). */
  readonly math: typeof Math;
  /** This VU's tracked timer functions (the script's globals and `k6/timers`). */
  timers(): TimerFunctions;
}

/** A VU's timer functions: an iteration ends only after its timers ran or were cleared (D3). */
export interface TimerFunctions {
  setTimeout(cb: (...a: unknown[]) => unknown, ms?: number, ...args: unknown[]): number;
  clearTimeout(id: unknown): void;
  setInterval(cb: (...a: unknown[]) => unknown, ms?: number, ...args: unknown[]): number;
  clearInterval(id: unknown): void;
}

/**
 * A k6 module (`k6`, `k6/http`, `k6/metrics`, …): called once per VU with that VU's context,
 * returns the module's exports (the default export under `default`). Per-VU instances give each
 * VU its own connections, cookie jar and group state, as in k6.
 */
export type ModuleFactory = (vu: VuContext) => Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Executors (engine/executors implements; the runner provides ExecutorRuntime)
// ---------------------------------------------------------------------------------------------

export type IterationOutcome = 'completed' | 'interrupted';

/** One iteration an executor asks of a VU. */
export interface ExecIteration {
  iterationInScenario: number;
  iterationInTest: number;
  /**
   * Called, as a method of this object, once the iteration ended: the executor counts here and
   * goes on with its loop. No promise and no async function around the call: such a frame is held
   * by every sleeping VU (~0.4 KB, promoted by the scavenges during the sleep, issue 21).
   */
  ended(vu: ExecVu, outcome: IterationOutcome): void;
}

/** A VU as an executor sees it: something that can run iterations of the scenario's exec function. */
export interface ExecVu {
  /** 1-based id within this instance. */
  readonly idInInstance: number;
  /**
   * Starts one iteration; `iter.ended` is called when it and its tracked work settled (never an
   * error). 'interrupted' when it was interrupted or the VU's own machinery failed (logged; no
   * iteration samples). `ended` may be called before this returns (a VU of a hard-stopped run).
   */
  startIteration(iter: ExecIteration): void;
  /** Interrupts the running iteration (gracefulStop/gracefulRampDown elapsed); it ends soon after. */
  interrupt(): void;
}

/** What the runner gives an executor for one scenario in one segment. */
export interface ExecutorRuntime {
  readonly scenario: string;
  /** This instance's share of the test (k6 execution segment + sequence). */
  readonly segment: SegmentInfo;
  /** Aborted when the whole test must stop (abort, Ctrl-C, abortOnFail): start no new iterations, interrupt after gracefulStop. */
  readonly signal: AbortSignal;
  /** Takes an initialised VU from the shared pool (k6 shares VUs between scenarios that do not overlap). */
  getVu(): Promise<ExecVu>;
  /** Returns a VU to the pool once it runs no iteration for this scenario. */
  returnVu(vu: ExecVu): void;
  /** Emits an execution metric (dropped_iterations, …) with the scenario tag added. */
  emit(metric: string, value: number, tags?: Tags): void;
  /** Monotonic ms since the test started (all scenario startTimes are relative to it). */
  now(): number;
  /**
   * Set when this instance replaces a worker thread the coordinator terminated (its VUs ran script
   * code that did not yield): the scenario continues on its schedule rather than starting over.
   */
  readonly resume?: ScenarioResume;
}

/** Where a scenario stood when the worker thread running it was terminated. */
export interface ScenarioResume {
  /** ms since the test start when the lost thread was last heard from (it ran nothing after). */
  lostAtMs: number;
  /** Iterations the lost thread started for this scenario in this segment (completed or interrupted). */
  done: number;
}

/** Execution segment arithmetic (engine/execution/segment.ts). */
export interface SegmentInfo {
  /** k6's ScaleInt64 for this segment within its sequence: this instance's share of `n` units (VUs, iterations). */
  scale(n: number): number;
  /**
   * Whether the test-wide iteration with global index `i` (0-based) belongs to this segment
   * (arrival-rate iterations are striped by global index).
   */
  ownsIteration(i: number): boolean;
  /** e.g. "0:1/2"; "0:1" when the test is not split. */
  readonly label: string;
}

export interface ScenarioProgress {
  /** 0..1 */
  fraction: number;
  /** k6-style right column, e.g. "10/10 VUs  1m00s/1m00s" or "0040/0100 shared iters among 10 VUs". */
  text: string;
  completed: number;
  interrupted: number;
}

export interface Executor {
  readonly name: string;
  /** The executor type, e.g. 'constant-arrival-rate'. */
  readonly type: string;
  /** ms after the test start when this scenario starts. */
  readonly startTime: number;
  /** Longest the scenario can take, gracefulStop included (ms). */
  maxDuration(): number;
  /** VUs this segment must pre-initialise for the scenario (k6: max VUs over the plan; preAllocatedVUs for arrival-rate). */
  preAllocatedVus(): number;
  /** VUs this segment may use at most (maxVUs for arrival-rate). */
  maxVus(): number;
  /** Runs the scenario to its end; resolves when every iteration has finished or been interrupted. */
  run(rt: ExecutorRuntime): Promise<void>;
  progress(): ScenarioProgress;
}
