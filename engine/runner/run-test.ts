/**
 * The run flow of DESIGN.md, once: load the script → one init VU in the main thread reads
 * `options` → consolidate (defaults < script < K6_* env < flags) → validate (scenarios, thresholds:
 * exit 104) → plan segments → init instances (in-process or one worker thread per segment) →
 * setup() once → scenarios run while metric deltas stream in and thresholds are checked every 2 s →
 * teardown(data) → summary, handleSummary, outputs → the exit code.
 *
 * Nothing here calls process.exit: `runTest` returns the code, so it can run many times in one process.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { consolidate, layerFromEnv, optionDurationMs } from '../config/index.ts';
import type { ConfigLayer, Consolidated } from '../config/index.ts';
import { EngineError, ExitCode, IterationInterrupted, ScriptLoadError, TestAborted } from '../errors.ts';
import type { ExitCodeValue } from '../errors.ts';
import type { LogFields, Logger, LogLevel } from '../log.ts';
import type { InstanceInfo, TestControl } from '../types.ts';
import type { InstanceHost, InstancePlan } from './host.ts';
import { renderHeader } from './header.ts';
import { LocalHost } from './local-host.ts';
import { createCollector, createRunMetrics } from './metrics-bridge.ts';
import type { RunMetrics } from './metrics-bridge.ts';
import { createExecutor, createVu, loadScript, normalizeScenarios, parseSegment, splitSegment, workerSegments } from './ports.ts';
import type { LoadedScript, Vu } from './ports.ts';
import { idOffset, maxPlannedVus } from './plan.ts';
import { ProgressView } from './progress.ts';
import type { ProgressAwareWriter } from './progress.ts';
import { watchStopSignals } from './signals.ts';
import { WorkerHost } from './worker-host.ts';

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
}

const defaultLifecycleTimeoutMs = 60_000;

/** Why the test stopped early, in priority order for the exit code. */
type StopCause = 'abort' | 'signal' | 'thresholds';

/** A TestControl for main-thread VUs (options, setup, teardown, handleSummary). */
function mainTestControl(onAbort: (reason?: string) => void, onFail: (reason?: string) => void): TestControl {
  return {
    abort(reason?: string): never {
      onAbort(reason);
      throw new IterationInterrupted('abort');
    },
    fail: onFail,
  };
}

const noInstance: InstanceInfo = {
  iterationsInterrupted: 0,
  iterationsCompleted: 0,
  vusActive: 0,
  vusInitialized: 0,
  currentTestRunDuration: 0,
};

/** setup()/teardown() with their timeout (the VU runtime: exit 100/101 on timeout, 107 with file:line on an exception). */
function callWithTimeout(vu: Vu, name: 'setup' | 'teardown', arg: unknown, timeoutMs: number): Promise<unknown> {
  return vu.callLifecycle(name, arg, timeoutMs);
}

/** One line for a script exception: the VU runtime's message already names file:line. */
function scriptError(phase: string, err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const e = err as Error;
  const where = typeof e?.stack === 'string' ? (e.stack.split('\n').find((l) => /:\d+:\d+\)?$/.test(l.trim())) ?? '').trim() : '';
  const msg = e?.message ?? String(err);
  return new ScriptLoadError(`${phase}: ${msg}${where && !msg.includes(where) ? ` (${where.replace(/^at\s+/, '')})` : ''}`);
}

export async function runTest(input: RunTestInput): Promise<number> {
  const { log } = input;
  const scriptPath = path.resolve(input.cwd, input.script);
  if (!existsSync(scriptPath)) throw new ScriptLoadError(`${input.script}: no such file`);

  let aborted: string | undefined;
  let abortRequested = false;
  let markedFailed = false;
  const onFail = (reason?: string) => {
    if (!markedFailed) log.warn(reason ? `test marked as failed: ${reason}` : 'test marked as failed');
    markedFailed = true;
  };

  // --- load, options, consolidate, validate -----------------------------------------------------
  const script: LoadedScript = await loadScript(scriptPath);
  const envLayer = layerFromEnv(input.processEnv);
  const preliminary: Consolidated = consolidate({ script: {}, env: envLayer, flags: input.flags, processEnv: input.processEnv, cwd: input.cwd });
  // The init VU that reads `options` reports to its own collector: thresholds are not known yet.
  const initSink = createCollector();
  let mainSink = initSink;
  const mainVu = (env: Record<string, string>, options: Record<string, unknown>) =>
    createVu(script, {
      idInInstance: 0,
      idInTest: 0,
      env,
      options,
      sink: mainSink,
      log,
      instance: () => noInstance,
      test: mainTestControl((r) => {
        abortRequested = true;
        aborted = r ?? '';
      }, onFail),
    });
  let optionsVu: Vu;
  try {
    optionsVu = await mainVu(preliminary.scriptEnv, {});
  } catch (err) {
    throw abortRequested ? new TestAborted(aborted) : scriptError('init', err);
  }
  const exported = (optionsVu.exports as Record<string, unknown>).options;
  const scriptOptions = exported && typeof exported === 'object' ? (JSON.parse(JSON.stringify(exported)) as Record<string, unknown>) : {};
  await optionsVu.close();
  const config = consolidate({ script: scriptOptions, env: envLayer, flags: input.flags, processEnv: input.processEnv, cwd: input.cwd });
  const scenarios = normalizeScenarios(config.options) as unknown as Record<string, Record<string, unknown>>;
  const options: Readonly<Record<string, unknown>> = Object.freeze({ ...config.options, scenarios });
  const metrics: RunMetrics = createRunMetrics({
    options,
    log,
    noThresholds: options.noThresholds === true,
    definitions: initSink.definitions(),
    settings: config.settings,
    cwd: input.cwd,
    env: input.processEnv,
  });
  const keepSamples = metrics.wantsSamples;
  mainSink = createCollector(options, keepSamples);

  // --- plan segments ----------------------------------------------------------------------------
  const userSegment = typeof options.executionSegment === 'string' ? options.executionSegment : undefined;
  const userSequence = typeof options.executionSegmentSequence === 'string' ? options.executionSegmentSequence : undefined;
  const ownSegment = parseSegment(userSegment, userSequence);
  const ownExecutors = Object.entries(scenarios).map(([name, c]) => createExecutor(name, c as never, ownSegment));
  const ownMax = maxPlannedVus(ownExecutors);
  if (!config.settings.quiet) {
    input.stdout.write(
      renderHeader({
        script: input.script,
        outputs: metrics.outputDescriptions,
        share: ownSegment.scale(1_000_000) / 1_000_000,
        scenarios: scenarios as never,
        executors: ownExecutors,
        maxVus: ownMax,
      }),
    );
  }
  // Fewer workers than VUs would leave threads idle, so the count is capped by the VUs; not inside
  // a user segment, where every instance of the sequence must split it the same way (same N) for
  // their shares to still add up to the whole test.
  const workers = userSegment ? config.settings.workers : Math.max(1, Math.min(config.settings.workers, ownMax));
  const segments =
    workers === 1
      ? [{ segment: userSegment, sequence: userSequence }]
      : userSegment
        ? splitSegment(userSegment, userSequence, workers)
        : workerSegments(workers);
  const maxVusOf = (segment: string | undefined, sequence: string | undefined) =>
    maxPlannedVus(Object.entries(scenarios).map(([name, c]) => createExecutor(name, c as never, parseSegment(segment, sequence))));
  const plans: InstancePlan[] = segments.map((seg) => ({
    scriptPath,
    options: options as Record<string, unknown>,
    env: config.scriptEnv,
    scenarios,
    segment: seg.segment,
    sequence: seg.sequence,
    idOffset: idOffset(seg.segment, seg.sequence, maxVusOf),
    verbose: config.settings.verbose,
    logOutput: config.settings.logOutput,
    keepSamples,
  }));

  let stopCause: StopCause | undefined;
  const hosts: InstanceHost[] = [];
  const hostEvents = {
    delta: (d: unknown) => metrics.merge(d),
    stderr: (chunk: Uint8Array) => (input.errWriter ?? input.stderr).write(chunk),
    logOnce: (key: string, level: LogLevel, msg: string, fields: LogFields) => log.once(key, level, msg, fields),
    abort: (reason: string | undefined) => {
      abortRequested = true;
      aborted = reason ?? '';
      stopAll('abort', true);
    },
    fail: onFail,
  };
  function stopAll(cause: StopCause, hard: boolean) {
    if (!stopCause || (cause === 'abort' && stopCause !== 'abort')) stopCause = cause;
    for (const h of hosts) {
      if (hard) h.stopHard();
      else h.stopGraceful();
    }
  }
  for (const plan of plans) {
    hosts.push(workers === 1 ? new LocalHost(plan, script, ownSegment, log, hostEvents) : new WorkerHost(plan, hostEvents));
  }

  // --- signals ----------------------------------------------------------------------------------
  let hardStopped = false;
  const stopGraceful = () => {
    log.info('stopping the test gracefully (press Ctrl-C again to stop at once)');
    stopAll('signal', false);
  };
  const stopHard = () => {
    hardStopped = true;
    log.warn('stopping the test now');
    stopAll('signal', true);
  };
  const signals = input.handleSignals ? watchStopSignals({ graceful: stopGraceful, hard: stopHard }) : undefined;
  let externalStops = 0;
  const onExternal = () => (++externalStops === 1 ? stopGraceful() : stopHard());
  input.signal?.addEventListener('abort', onExternal);

  let code: ExitCodeValue = ExitCode.OK;
  let setupData: string | undefined;
  let lifecycleVu: Vu | undefined;
  let progress: ProgressView | undefined;
  const timers: NodeJS.Timeout[] = [];
  let startEpoch = 0;
  try {
    // --- init VUs, then setup -------------------------------------------------------------------
    await metrics.open();
    metrics.merge(initSink.drain());
    try {
      await Promise.all(hosts.map((h) => h.init()));
      lifecycleVu = await mainVu(config.scriptEnv, options as Record<string, unknown>);
    } catch (err) {
      throw abortRequested ? new TestAborted(aborted) : scriptError('init', err);
    }
    const exportsOf = lifecycleVu.exports as Record<string, unknown>;
    if (typeof exportsOf.setup === 'function' && options.noSetup !== true && !stopCause) {
      const timeout = options.setupTimeout !== undefined ? optionDurationMs('setupTimeout', options.setupTimeout) : defaultLifecycleTimeoutMs;
      try {
        const data = await callWithTimeout(lifecycleVu, 'setup', undefined, timeout);
        setupData = data === undefined ? undefined : JSON.stringify(data);
      } catch (err) {
        if (abortRequested) stopCause = 'abort';
        else throw err instanceof EngineError ? err : scriptError('setup', err);
      } finally {
        metrics.merge(mainSink.drain());
      }
    }

    // --- run --------------------------------------------------------------------------------------
    if (!stopCause) {
      startEpoch = Date.now();
      metrics.start(startEpoch);
      const stats = () => {
        const all = hosts.map((h) => h.stats());
        return {
          vusActive: all.reduce((a, s) => a + s.vusActive, 0),
          vusInitialized: all.reduce((a, s) => a + s.vusInitialized, 0),
          completed: all.reduce((a, s) => a + s.iterationsCompleted, 0),
          interrupted: all.reduce((a, s) => a + s.iterationsInterrupted, 0),
        };
      };
      // k6 samples vus/vus_max once a second while the test runs (no closing zero sample), with the
      // test-wide tags (--tag testid=…: k6's Grafana dashboards select k6_vus by them).
      const runTags = { ...((options.tags as Record<string, string> | undefined) ?? {}) };
      let vusSamples = 0;
      const sampleVus = async () => {
        vusSamples++;
        const all = await Promise.all(hosts.map((h) => h.freshStats()));
        mainSink.add('vus', all.reduce((a, s) => a + s.vusActive, 0), runTags);
        mainSink.add('vus_max', all.reduce((a, s) => a + s.vusInitialized, 0), runTags);
        metrics.merge(mainSink.drain());
      };
      // The first sample once the executors have taken their VUs.
      timers.push(setTimeout(() => void sampleVus(), 50));
      timers.push(setInterval(() => void sampleVus(), 1000));
      timers.push(
        setInterval(() => {
          if (metrics.checkThresholds(Date.now() - startEpoch).abort && !stopCause) {
            stopAll('thresholds', true);
          }
        }, 2000),
      );
      const tty = (input.stderr as NodeJS.WriteStream).isTTY === true;
      if (tty && !config.settings.quiet) {
        progress = new ProgressView(input.stderr as NodeJS.WriteStream, () => {
          const s = stats();
          return {
            elapsedMs: Date.now() - startEpoch,
            vusActive: s.vusActive,
            vusMax: s.vusInitialized,
            completed: s.completed,
            interrupted: s.interrupted,
            scenarios: scenarioProgress(hosts),
          };
        });
        input.errWriter?.attach(progress);
        progress.start();
      }
      // One instance failing (a worker dying) stops the others at once; the first error is reported.
      const ran = await Promise.allSettled(
        hosts.map((h) =>
          h.run(startEpoch, setupData).catch((err) => {
            hardStopped = true;
            stopAll('signal', true);
            throw err;
          }),
        ),
      );
      const failed = ran.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason instanceof EngineError ? failed.reason : new EngineError(String((failed.reason as Error)?.message ?? failed.reason), ExitCode.GenericEngine);
      for (const t of timers) clearInterval(t);
      progress?.stop();
      input.errWriter?.detach();
      progress = undefined;
      if (vusSamples === 0) await sampleVus();
    }

    // --- teardown ---------------------------------------------------------------------------------
    // As in k6, teardown runs after the scenarios however they ended (abort included), but not
    // after a second Ctrl-C, nor when setup() never completed.
    if (typeof exportsOf.teardown === 'function' && options.noTeardown !== true && !hardStopped && startEpoch !== 0) {
      const timeout = options.teardownTimeout !== undefined ? optionDurationMs('teardownTimeout', options.teardownTimeout) : defaultLifecycleTimeoutMs;
      try {
        await callWithTimeout(lifecycleVu, 'teardown', setupData === undefined ? undefined : JSON.parse(setupData), timeout);
      } catch (err) {
        if (abortRequested) stopCause = 'abort';
        else if (err instanceof EngineError) {
          input.stderr.write(`aetos-load run: ${err.message}\n`);
          code = err.exitCode;
        }
        else {
          input.stderr.write(`aetos-load run: ${scriptError('teardown', err).message}\n`);
          code = ExitCode.ScriptException;
        }
      }
    }
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    input.stderr.write(`aetos-load run: ${err.message}\n`);
    code = err.exitCode;
  } finally {
    for (const t of timers) clearInterval(t);
    progress?.stop();
    input.errWriter?.detach();
    signals?.dispose();
    input.signal?.removeEventListener('abort', onExternal);
    await Promise.allSettled(hosts.map((h) => h.close()));
  }
  metrics.merge(mainSink.drain());

  // --- summary, handleSummary, outputs ------------------------------------------------------------
  const thresholdsFailed = metrics.finish(startEpoch === 0 ? 0 : Date.now() - startEpoch);
  try {
    await metrics.writeResults({
      settings: config.settings,
      handleSummary:
        lifecycleVu && typeof (lifecycleVu.exports as Record<string, unknown>).handleSummary === 'function'
          ? (data) => (lifecycleVu as Vu).callLifecycle('handleSummary', data)
          : undefined,
      stdout: input.stdout,
      stderr: input.stderr,
      cwd: input.cwd,
      setupData: setupData === undefined ? undefined : JSON.parse(setupData),
      printSummary: startEpoch !== 0,
    });
  } catch (err) {
    log.error(err instanceof Error ? err.message : String(err));
    if (code === ExitCode.OK) code = err instanceof EngineError ? err.exitCode : ExitCode.GenericEngine;
  } finally {
    await lifecycleVu?.close();
  }

  if (code !== ExitCode.OK) return code;
  if (stopCause === 'abort' || abortRequested) {
    log.error(aborted ? `test aborted: ${aborted}` : 'test aborted by the script');
    return ExitCode.ScriptAborted;
  }
  if (stopCause === 'signal') return ExitCode.ExternalAbort;
  if (thresholdsFailed || stopCause === 'thresholds') return ExitCode.ThresholdsHaveFailed;
  if (markedFailed) return ExitCode.MarkedAsFailed;
  return ExitCode.OK;
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
    text: `${e.completed} complete and ${e.interrupted} interrupted iterations over ${hosts.length} workers`,
  }));
}
