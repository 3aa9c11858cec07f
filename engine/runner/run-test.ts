/**
 * The run flow of DESIGN.md, as its steps: prepare → init → setup → run → teardown → report, then
 * the exit code, one pure function of what happened (outcome.ts).
 *
 * The main thread is the coordinator and never runs script code (D9): the init VU that reads
 * `options`, setup, teardown and handleSummary run in a lifecycle worker thread
 * (lifecycle-host.ts), every VU in instance worker threads (worker-host.ts), also with one VU and
 * `--workers 1`. The coordinator schedules, merges metric deltas, checks thresholds every 2 s,
 * answers signals at once and writes the outputs; every time limit is kept by terminating the
 * thread that crosses it, so a `while (true) {}` anywhere in a script ends in a written summary.
 *
 * Nothing here calls process.exit: `runTest` returns the code, so it can run many times in one process.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { consolidate, consolidateSettings, layerFromEnv } from '../config/index.ts';
import type { ConfigLayer } from '../config/index.ts';
import { EngineError, ExitCode, ScriptLoadError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { browserFoldersRemoved } from '../modules/browser/temp-folder.ts';
import { workerStartOf } from './worker-start.ts';
import { renderHeader } from './header.ts';
import type { InstanceHost } from './host.ts';
import { initTimeoutError, LifecycleHost } from './lifecycle-host.ts';
import { createCollector } from './metrics-bridge.ts';
import type { Collector, RunMetrics } from './metrics-bridge.ts';
import { exitCodeOf } from './outcome.ts';
import type { RunOutcome } from './outcome.ts';
import { createExecutor, parseSegment } from './ports.ts';
import { startProgress } from './progress.ts';
import type { ProgressAwareWriter } from './progress.ts';
import { watchStopSignals } from './signals.ts';
import { planWorkerCount, runWorkerMemoryMb } from '../config/threads.ts';
import { defaultLifecycleMs, prepare } from './test-plan.ts';
import type { TestPlan } from './test-plan.ts';
import { instanceThread, WorkerHost } from './worker-host.ts';
import type { WorkerThread } from './worker-thread.ts';

export interface RunTestInput {
  /** Script path as given (.ts or .js). */
  script: string;
  flags: ConfigLayer;
  processEnv: NodeJS.ProcessEnv;
  cwd: string;
  log: Logger;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Writes to stderr above the progress block while one is shown (log lines, worker threads' stderr). */
  errWriter?: ProgressAwareWriter;
  /** Install SIGINT/SIGTERM handlers for the run (the CLI does; embedders may not want it). */
  handleSignals: boolean;
  /** Stops the run from the embedding code like a first Ctrl-C (abort twice for a hard stop). */
  signal?: AbortSignal;
  /** Options that replace the script's own `options` export (an archive's metadata.json, as k6 does). */
  scriptOptions?: Record<string, unknown>;
}

type Phase = 'init' | 'setup' | 'run' | 'teardown' | 'report';

/**
 * The VUs the command line fixes for the whole test: `--vus` with `--iterations` or `--duration`.
 * Flags outrank the script and the environment, and with such a shortcut the test is one scenario
 * of exactly that many VUs (or a config error). Only a hint for how many threads to start before
 * the plan is known: a plan that needs more (an execution segment) starts the rest then.
 */
export function vusFixedByFlags(flags: ConfigLayer): number | undefined {
  const o = flags.options;
  if (typeof o.vus !== 'number' || !Number.isInteger(o.vus) || o.vus < 1) return undefined;
  if (o.iterations === undefined && o.duration === undefined) return undefined;
  if (o.stages !== undefined || o.executionSegment !== undefined) return undefined;
  return o.vus;
}

export async function runTest(input: RunTestInput): Promise<number> {
  const scriptPath = path.resolve(input.cwd, input.script);
  if (!existsSync(scriptPath)) throw new ScriptLoadError(`${input.script}: no such file`);
  const run = new TestRun(input, scriptPath);
  const signals = input.handleSignals ? watchStopSignals({ graceful: () => run.onStopSignal(), hard: () => run.onStopSignal() }) : undefined;
  const onExternal = () => run.onStopSignal();
  input.signal?.addEventListener('abort', onExternal);
  if (input.signal?.aborted) onExternal(); // stopped while the run was starting
  try {
    const prepared = await run.prepare();
    if (prepared) {
      const { plan, metrics } = prepared;
      try {
        await run.init(plan, metrics);
        const setupData = await run.setup(plan);
        await run.runScenarios(plan, metrics, setupData);
        await run.teardown(plan, setupData);
      } catch (err) {
        run.recordError(err);
      } finally {
        await run.closeInstances();
      }
      await run.report(plan, metrics);
    }
  } catch (err) {
    run.recordError(err);
  } finally {
    signals?.dispose();
    input.signal?.removeEventListener('abort', onExternal);
    await run.closeLifecycle();
  }
  return run.exitCode();
}

class TestRun {
  readonly outcome: RunOutcome = { aborted: false, signalled: false, thresholdsAborted: false, thresholdsFailed: false, markedFailed: false };
  private abortReason: string | undefined;
  private phase: Phase = 'init';
  /** Aborted by a stop signal: ends the lifecycle call in progress (init, setup, teardown, handleSummary) at once. */
  private phaseStop = new AbortController();
  private signals = 0;
  private hosts: InstanceHost[] = [];
  /**
   * Threads started before the plan (how many: the constructor): the first reads the options, and
   * the lifecycle role and the first host share it; the hosts take the others. A plan with fewer
   * instances terminates the rest.
   */
  private spares: WorkerThread[] = [];
  /** Each thread's heap limit (runWorkerMemoryMb of the run's settings), for the threads started before the plan. */
  private readonly memoryMb: number;
  private readonly lifecycle: LifecycleHost;
  private readonly log: Logger;
  /** Test start (ms since the epoch); 0 while the scenarios have not started. */
  private startEpoch = 0;
  /** No teardown after a hard stop (second Ctrl-C) or a failed instance. */
  private hardStopped = false;
  /** vus / vus_max samples, taken by the coordinator. */
  private sink: Collector = createCollector();
  private setupData: string | undefined;
  /** The functions the script exports (setup, teardown, handleSummary, scenario functions). */
  private exports = new Set<string>();

  constructor(
    private readonly input: RunTestInput,
    private readonly scriptPath: string,
  ) {
    this.log = input.log;
    const settings = consolidateSettings(layerFromEnv(input.processEnv), input.flags, input.processEnv);
    const events = this.threadEvents((d) => this.pendingDeltas.push(d));
    const start = workerStartOf(scriptPath, settings, input.cwd);
    this.lifecycle = new LifecycleHost(start, events);
    // The threads start now, one per worker the run will likely use. The first reads the options,
    // then runs setup, instance 0's VUs, teardown and handleSummary (one thread's start-up fewer on
    // every run). The others start while it reads them: started once the plan was known, a thread
    // put its whole start-up before the run's first request (1,000 VUs on two workers: first request
    // 760 → 640 ms). A plan with fewer workers stops the extra ones unused: a 1-VU run on two cores
    // paid ~40 ms for that (bench/engine-scale.ts). So when the command line fixes the VUs
    // (`-u 1 -i 1`) exactly the plan's threads start; otherwise --workers N start, or, unasked, one:
    // the plan wants more only past vusPerWorker VUs or iterationsPerWorker arrivals a second, and
    // then starts them itself.
    this.memoryMb = runWorkerMemoryMb(settings);
    const fixedVus = vusFixedByFlags(input.flags);
    const threads = fixedVus !== undefined ? planWorkerCount(settings.workers, fixedVus) : (settings.workers ?? 1);
    for (let i = 0; i < threads; i++) this.spares.push(instanceThread(start, this.memoryMb, events));
    const first = this.spares[0] as WorkerThread;
    first.spawn().then(
      () => this.log.debug(`first worker thread: the prewarmed one ${first.prewarmed}`),
      () => undefined,
    );
    for (const t of this.spares.slice(1)) t.spawn().catch(() => undefined);
  }

  /** Deltas that arrive before the metrics store exists (init's samples). */
  private pendingDeltas: unknown[] = [];
  private metrics: RunMetrics | undefined;

  /** Every thread of this run that has not ended (closeAll terminates what is left). */
  private readonly threads = new Set<WorkerThread>();

  private threadEvents(delta: (d: unknown) => void) {
    return {
      threads: this.threads,
      delta: (d: unknown) => (this.metrics ? this.metrics.merge(d) : delta(d)),
      stderr: (chunk: Uint8Array) => (this.input.errWriter ?? this.input.stderr).write(chunk),
      logOnce: (key: string, level: Parameters<Logger['once']>[1], msg: string, fields: Parameters<Logger['once']>[3]) => this.log.once(key, level, msg, fields),
      abort: (reason: string | undefined) => this.onScriptAbort(reason),
      fail: (reason: string | undefined) => {
        if (!this.outcome.markedFailed) this.log.warn(reason ? `test marked as failed: ${reason}` : 'test marked as failed');
        this.outcome.markedFailed = true;
      },
    };
  }

  // --- events -------------------------------------------------------------------------------------
  onStopSignal(): void {
    this.signals++;
    this.outcome.signalled = true;
    if (this.phase === 'run' && this.signals === 1) {
      this.log.info('stopping the test gracefully (press Ctrl-C again to stop at once)');
      for (const h of this.hosts) h.stopGraceful();
      return;
    }
    this.log.warn(this.phase === 'run' ? 'stopping the test now' : `stopping the test now (during ${this.phase})`);
    this.hardStopped = true;
    for (const h of this.hosts) h.stopHard();
    this.phaseStop.abort(new EngineError('stopped by a signal', ExitCode.ExternalAbort));
  }

  private onScriptAbort(reason: string | undefined): void {
    if (this.outcome.aborted) return;
    this.outcome.aborted = true;
    this.abortReason = reason ?? '';
    for (const h of this.hosts) h.stopHard();
  }

  recordError(err: unknown): void {
    if (!(err instanceof EngineError)) throw err;
    // A stop signal or exec.test.abort() ends the call in progress: that is not an error of its own.
    if (err.exitCode === ExitCode.ExternalAbort && this.outcome.signalled) return;
    if (err.exitCode === ExitCode.ScriptAborted) {
      this.outcome.aborted = true;
      return;
    }
    if (this.outcome.errorCode !== undefined) return;
    this.input.stderr.write(`aetos-load run: ${err.message}\n`);
    this.outcome.errorCode = err.exitCode;
  }

  private enter(phase: Phase): void {
    this.phase = phase;
    if (this.phaseStop.signal.aborted && phase === 'report') this.phaseStop = new AbortController();
  }

  /** Stop signal or abort: later steps are skipped. */
  private get stopped(): boolean {
    return this.outcome.signalled || this.outcome.aborted || this.outcome.errorCode !== undefined;
  }

  // --- prepare --------------------------------------------------------------------------------------
  /** The init VU (in the lifecycle thread) reads `options`; prepare() resolves the TestPlan; the header is printed. */
  async prepare(): Promise<{ plan: TestPlan; metrics: RunMetrics } | undefined> {
    const { input } = this;
    const preliminary = consolidate({ script: {}, env: layerFromEnv(input.processEnv), flags: input.flags, processEnv: input.processEnv, cwd: input.cwd });
    const initMs = preliminary.settings.initTimeoutMs ?? defaultLifecycleMs;
    let scriptOptions;
    try {
      scriptOptions = await this.lifecycle.readOptions(preliminary.scriptEnv, initMs, this.memoryMb, this.phaseStop.signal, this.spares[0]);
    } catch (err) {
      this.recordError(err);
      return undefined;
    }
    this.exports = new Set(scriptOptions.exports);
    const { plan, metrics } = prepare({
      scriptPath: this.scriptPath,
      script: input.script,
      scriptOptions: input.scriptOptions ?? scriptOptions.options,
      flags: input.flags,
      processEnv: input.processEnv,
      cwd: input.cwd,
      definitions: scriptOptions.definitions,
      log: this.log,
    });
    this.metrics = metrics;
    this.sink = createCollector(plan.thresholds, plan.keepSamples, plan.keepTimeline);
    if (!plan.settings.quiet) {
      const own = parseSegment(plan.options.executionSegment as string | undefined, plan.options.executionSegmentSequence as string | undefined);
      input.stdout.write(
        renderHeader({
          script: input.script,
          outputs: metrics.outputDescriptions,
          share: plan.share,
          scenarios: plan.scenarios,
          executors: Object.entries(plan.scenarios).map(([name, c]) => createExecutor(name, c, own)),
          maxVus: plan.maxVus,
        }),
      );
    }
    return { plan, metrics };
  }

  // --- init -----------------------------------------------------------------------------------------
  /** Outputs open; every instance thread loads the script and initialises its VUs; the lifecycle VU is initialised. */
  async init(plan: TestPlan, metrics: RunMetrics): Promise<void> {
    this.enter('init');
    await metrics.open();
    for (const d of this.pendingDeltas.splice(0)) metrics.merge(d);
    const events = { ...this.threadEvents(() => undefined), delta: (d: unknown) => metrics.merge(d), warn: (m: string) => this.log.warn(m) };
    this.hosts = plan.instances.map((_, i) => new WorkerHost(plan, i, events, this.spares[i]));
    const unused = this.spares.slice(plan.instances.length);
    for (const t of unused) void t.terminate();
    if (unused.length > 0) this.log.debug(`worker threads started before the plan: ${this.spares.length}; the plan uses ${plan.instances.length}, the other ${unused.length} stopped unused`);
    this.spares = [];
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    // The limit counts from when every thread runs (starting threads on a loaded machine is not init code).
    const limit = new Promise<never>((_, reject) => {
      void Promise.allSettled(this.hosts.map((h) => h.start())).then(() => {
        if (settled) return;
        timer = setTimeout(() => {
          for (const h of this.hosts) void h.terminate();
          reject(initTimeoutError(this.scriptPath, plan.limits.initMs));
        }, plan.limits.initMs);
      });
    });
    const s = this.phaseStop.signal;
    let onStop: (() => void) | undefined;
    const stop = new Promise<never>((_, reject) => {
      onStop = () => {
        for (const h of this.hosts) void h.terminate();
        reject(s.reason);
      };
      if (s.aborted) onStop();
      else s.addEventListener('abort', onStop, { once: true });
    });
    const all = Promise.all([...this.hosts.map((h) => h.init()), this.lifecycle.configure(plan, this.phaseStop.signal)]);
    try {
      await Promise.race([all, limit, stop]);
    } finally {
      settled = true;
      clearTimeout(timer);
      if (onStop) s.removeEventListener('abort', onStop);
      all.catch(() => undefined);
      limit.catch(() => undefined);
      stop.catch(() => undefined);
    }
  }

  // --- setup ----------------------------------------------------------------------------------------
  /** setup() once, in the lifecycle thread, within setupTimeout; its data as JSON text. */
  async setup(plan: TestPlan): Promise<string | undefined> {
    this.enter('setup');
    if (this.stopped || plan.options.noSetup === true || !this.exports.has('setup')) return undefined;
    const data = (await this.lifecycle.call('setup', undefined, this.phaseStop.signal)) as string | undefined;
    this.setupData = data;
    return data;
  }

  // --- run ------------------------------------------------------------------------------------------
  async runScenarios(plan: TestPlan, metrics: RunMetrics, setupData: string | undefined): Promise<void> {
    this.enter('run');
    if (this.stopped) return;
    const hosts = this.hosts;
    this.startEpoch = Date.now();
    metrics.start(this.startEpoch);
    const timers: NodeJS.Timeout[] = [];
    // k6 samples vus/vus_max once a second while the test runs (no closing zero sample), with the
    // test-wide tags (--tag testid=…: k6's Grafana dashboards select k6_vus by them).
    const runTags = { ...((plan.options.tags as Record<string, string> | undefined) ?? {}) };
    let vusSamples = 0;
    const sampleVus = async () => {
      vusSamples++;
      const all = await Promise.all(hosts.map((h) => h.freshStats()));
      this.sink.add('vus', all.reduce((a, s) => a + s.vusActive, 0), runTags);
      this.sink.add('vus_max', all.reduce((a, s) => a + s.vusInitialized, 0), runTags);
      metrics.merge(this.sink.drain());
    };
    // The first sample once the executors have taken their VUs.
    timers.push(setTimeout(() => void sampleVus(), 50));
    timers.push(setInterval(() => void sampleVus(), 1000));
    timers.push(
      setInterval(() => {
        if (metrics.checkThresholds(Date.now() - this.startEpoch).abort && !this.outcome.thresholdsAborted) {
          this.outcome.thresholdsAborted = true;
          for (const h of hosts) h.stopHard();
        }
      }, 2000),
    );
    const { input } = this;
    // a live block on a terminal, progress lines every --progress-interval in a CI log (progress.ts)
    const progress = startProgress({
      stdout: input.stdout,
      stderr: input.stderr,
      errWriter: input.errWriter,
      quiet: plan.settings.quiet,
      intervalMs: plan.settings.progressIntervalMs,
      snapshot: () => {
        const all = hosts.map((h) => h.stats());
        const sum = (f: (s: (typeof all)[number]) => number) => all.reduce((a, s) => a + f(s), 0);
        return {
          elapsedMs: Date.now() - this.startEpoch,
          vusActive: sum((s) => s.vusActive),
          vusMax: sum((s) => s.vusInitialized),
          completed: sum((s) => s.iterationsCompleted),
          interrupted: sum((s) => s.iterationsInterrupted),
          scenarios: scenarioProgress(hosts),
        };
      },
    });
    try {
      // One instance failing (out of memory, a crash) stops the others at once; the first error is reported.
      const ran = await Promise.allSettled(
        hosts.map((h) =>
          h.run(this.startEpoch, setupData).catch((err) => {
            this.hardStopped = true;
            for (const other of hosts) other.stopHard();
            throw err;
          }),
        ),
      );
      const failed = ran.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason instanceof EngineError ? failed.reason : new EngineError(String((failed.reason as Error)?.message ?? failed.reason), ExitCode.GenericEngine);
    } finally {
      for (const t of timers) clearInterval(t);
      progress?.stop();
      input.errWriter?.detach();
      if (vusSamples === 0) await sampleVus();
    }
  }

  // --- teardown -------------------------------------------------------------------------------------
  /**
   * As in k6, teardown runs after the scenarios however they ended (abort included), but not after a
   * second Ctrl-C, nor when setup() never completed. A Ctrl-C during teardown ends it at once.
   */
  async teardown(plan: TestPlan, setupData: string | undefined): Promise<void> {
    this.enter('teardown');
    if (plan.options.noTeardown === true || this.hardStopped || this.startEpoch === 0 || !this.exports.has('teardown')) return;
    try {
      await this.lifecycle.call('teardown', setupData === undefined ? undefined : JSON.parse(setupData), this.phaseStop.signal);
    } catch (err) {
      this.recordError(err);
    }
  }

  async closeInstances(): Promise<void> {
    await this.terminateSpares();
    await Promise.allSettled(this.hosts.map((h) => h.close()));
  }

  private async terminateSpares(): Promise<void> {
    await Promise.allSettled(this.spares.splice(0).map((t) => t.terminate()));
  }

  /** Ends the lifecycle role, then any thread still running: nothing of the run outlives it, browsers and their temp files included. */
  async closeLifecycle(): Promise<void> {
    await this.terminateSpares();
    await this.lifecycle.close();
    await Promise.allSettled([...this.threads].map((t) => t.terminate()));
    await browserFoldersRemoved();
  }

  // --- report ---------------------------------------------------------------------------------------
  /** Final threshold evaluation, then outputs, --summary-export and the summary (handleSummary in the lifecycle thread). */
  async report(plan: TestPlan, metrics: RunMetrics): Promise<void> {
    this.enter('report');
    metrics.merge(this.sink.drain());
    this.outcome.thresholdsFailed = metrics.finish(this.startEpoch === 0 ? 0 : Date.now() - this.startEpoch);
    const wantsSummary = this.startEpoch !== 0;
    try {
      await metrics.writeResults({
        settings: plan.settings,
        handleSummary: this.exports.has('handleSummary')
          ? async (data) => {
              try {
                return await this.lifecycle.call('handleSummary', data, this.phaseStop.signal);
              } catch (err) {
                if (err instanceof EngineError && err.exitCode === ExitCode.GenericTimeout) this.recordError(err);
                throw err;
              }
            }
          : undefined,
        stdout: this.input.stdout,
        stderr: this.input.stderr,
        cwd: this.input.cwd,
        setupData: this.setupData === undefined ? undefined : JSON.parse(this.setupData),
        printSummary: wantsSummary,
        workers: plan.instances.length,
      });
    } catch (err) {
      this.log.error(err instanceof Error ? err.message : String(err));
      this.outcome.resultsErrorCode = err instanceof EngineError ? err.exitCode : ExitCode.GenericEngine;
    }
  }

  exitCode(): number {
    if (this.outcome.aborted && this.outcome.errorCode === undefined) {
      this.log.error(this.abortReason ? `test aborted: ${this.abortReason}` : 'test aborted by the script');
    }
    return exitCodeOf(this.outcome);
  }
}

/** Per-scenario progress over all instances: fractions averaged, counts summed. */
function scenarioProgress(hosts: InstanceHost[]): { name: string; fraction: number; text: string }[] {
  if (hosts.length === 1) return (hosts[0] as InstanceHost).progress().map((p) => ({ name: p.name, fraction: p.fraction, text: p.text }));
  const byName = new Map<string, { fraction: number; n: number; completed: number; interrupted: number }>();
  for (const h of hosts) {
    for (const p of h.progress()) {
      const e = byName.get(p.name) ?? { fraction: 0, n: 0, completed: 0, interrupted: 0 };
      e.fraction += p.fraction;
      e.n++;
      e.completed += p.completed;
      e.interrupted += p.interrupted;
      byName.set(p.name, e);
    }
  }
  return [...byName].map(([name, e]) => ({
    name,
    fraction: e.fraction / e.n,
    text: `${e.completed} complete and ${e.interrupted} interrupted iterations over ${hosts.length} worker${hosts.length === 1 ? '' : 's'}`,
  }));
}
