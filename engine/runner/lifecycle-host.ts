/**
 * The script's one-off VUs, in a worker thread of their own: the init VU that reads `options`, and
 * the VU that runs setup(), teardown() and handleSummary(). The coordinator keeps each call's time
 * limit by terminating the thread (k6's exit codes: setup 100, teardown 101, handleSummary 102;
 * init past --init-timeout 102 with the file named), so a `while (true) {}` there ends the same way
 * a slow `sleep` does. A thread ended that way is started again (init code runs again, as k6 runs
 * it for every VU) when a later step still needs the script, e.g. handleSummary after a teardown
 * that timed out.
 */
import { EngineError, ExitCode } from '../errors.ts';
import type { WorkerStart } from './worker-start.ts';
import type { ExitCodeValue } from '../errors.ts';
import { displayPath } from '../loader/source-map.ts';
import type { MetricDef } from '../metrics/index.ts';
import type { TestPlan } from './test-plan.ts';
import { defaultLifecycleMs } from './test-plan.ts';
import { WorkerThread, withLimit } from './worker-thread.ts';
import type { ThreadEvents } from './worker-thread.ts';

export interface LifecycleEvents extends ThreadEvents {
  /** Samples the lifecycle VUs emitted (init, setup's requests, …). */
  delta(delta: unknown): void;
}

export interface ScriptOptions {
  options: Record<string, unknown>;
  /** What the script exports (setup, teardown, handleSummary, …). */
  exports: string[];
  definitions: Map<string, MetricDef>;
  /** Absolute paths of the files the init code open()ed. */
  opened: string[];
}

const timeoutCode: Record<'setup' | 'teardown' | 'handleSummary', ExitCodeValue> = {
  setup: ExitCode.SetupTimeout,
  teardown: ExitCode.TeardownTimeout,
  handleSummary: ExitCode.GenericTimeout,
};

/** One line for init code past its limit. */
export function initTimeoutError(scriptPath: string, ms: number): EngineError {
  return new EngineError(
    `${displayPath(scriptPath)}: init code did not finish within ${formatSeconds(ms)} (a busy loop or a blocking wait at the top level?); raise the limit with --init-timeout or AETOS_INIT_TIMEOUT`,
    ExitCode.GenericTimeout,
  );
}

const formatSeconds = (ms: number) => `${Number((ms / 1000).toFixed(3))}s`;

export class LifecycleHost {
  private thread: WorkerThread | undefined;
  private plan: TestPlan | undefined;

  constructor(
    private readonly workerStart: WorkerStart,
    private readonly events: LifecycleEvents,
  ) {}

  /** Uses `shared` (a thread instance 0 will use too) or starts a thread of its own. */
  private async start(memoryMb: number, shared?: WorkerThread): Promise<WorkerThread> {
    const t = (shared ?? new WorkerThread(this.workerStart, memoryMb, this.events, 'init')).retain();
    t.label = 'init';
    t.listen((m) => {
      // the lifecycle role's samples (a failed call's too: the requests setup() made before it threw)
      const mine = m.type === 'result' || m.type === 'options' || (m.type === 'closed' && m.role === 'lifecycle') || (m.type === 'failed' && m.delta !== undefined);
      if (mine) this.events.delta(m.delta);
    });
    this.thread = t;
    await t.spawn();
    return t;
  }

  /** Loads the script and runs its init code once for `options` (the limit: --init-timeout). */
  async readOptions(env: Record<string, string>, initMs: number, memoryMb: number, stop: AbortSignal, shared?: WorkerThread): Promise<ScriptOptions> {
    const t = await this.start(memoryMb, shared);
    await t.online;
    const m = await withLimit(t, t.request({ type: 'options', env }, 'options'), initMs, () => initTimeoutError(this.workerStart.scriptPath, initMs), stop);
    return { options: m.options, exports: m.exports, definitions: new Map(m.definitions as [string, MetricDef][]), opened: m.opened };
  }

  /** Gives the thread the plan: it initialises the VU that runs setup, teardown and handleSummary. */
  async configure(plan: TestPlan, stop: AbortSignal): Promise<void> {
    this.plan = plan;
    let t = this.thread;
    if (!t || t.isEnded) t = await this.start(plan.limits.workerMemoryMb);
    await t.online;
    await withLimit(t, t.request({ type: 'configure', plan }, 'configured'), plan.limits.initMs, () => initTimeoutError(this.workerStart.scriptPath, plan.limits.initMs), stop);
  }

  /**
   * Calls setup/teardown/handleSummary with its limit. setup's answer is its data as JSON text.
   * `stop` aborted (Ctrl-C) ends the call at once: the thread is terminated.
   */
  async call(name: 'setup' | 'teardown' | 'handleSummary', arg: unknown, stop?: AbortSignal): Promise<unknown> {
    const plan = this.plan;
    if (!plan) throw new Error('LifecycleHost.call before configure');
    if (!this.thread || this.thread.isEnded) await this.configure(plan, stop ?? new AbortController().signal);
    const t = this.thread as WorkerThread;
    t.label = `${name}()`;
    const ms = name === 'setup' ? plan.limits.setupMs : name === 'teardown' ? plan.limits.teardownMs : plan.limits.handleSummaryMs;
    const limit = ms > 0 ? ms : defaultLifecycleMs;
    const m = await withLimit(
      t,
      t.request({ type: 'call', name, arg }, 'result'),
      limit,
      // k6's wording
      () => new EngineError(`${name}() execution timed out after ${Math.round(limit / 1000)} seconds`, timeoutCode[name]),
      stop,
    );
    return m.value;
  }

  async close(): Promise<void> {
    await this.thread?.close('lifecycle', 2000);
  }
}
