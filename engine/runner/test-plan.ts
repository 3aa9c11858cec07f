/**
 * prepare(): everything a run needs to know, resolved once, before any VU starts. The result is one
 * typed, structured-cloneable TestPlan that the coordinator keeps and every worker thread receives
 * as it is (no worker consolidates options, normalises scenarios or plans segments again):
 * consolidated options, the normalised scenarios, __ENV, the segments each worker thread runs with
 * their VU-ID offsets, the outputs, and the limits the coordinator enforces (init, setup, teardown,
 * handleSummary, worker memory).
 *
 * VU IDs: `__VU`/`exec.vu.idInInstance` are 1..N within one process however many worker threads
 * run the VUs (worker threads are an implementation detail, k6 has one runtime per instance), so
 * each worker's VUs start after the previous workers' (`vuOffset`). `exec.vu.idInTest` adds the VUs
 * of the user's segments before this one (`idOffset`), so it is unique across instances too.
 */
import { readFileSync } from 'node:fs';
import { workerStartOf, type WorkerStart } from './worker-start.ts';
import { consolidate, layerFromEnv, optionDurationMs } from '../config/index.ts';
import { machineWorkerCount, planWorkerCount, runWorkerMemoryMb } from '../config/threads.ts';
import type { ConfigLayer, RunSettings } from '../config/index.ts';
import type { Logger } from '../log.ts';
import type { MetricDef, ThresholdSet } from '../metrics/index.ts';
import type { Executor } from '../types.ts';
import { createRunMetrics, parseRunThresholds } from './metrics-bridge.ts';
import type { RunMetrics } from './metrics-bridge.ts';
import { idOffset, maxPlannedVus, peak } from './plan.ts';
import { checkBrowserScenarios } from '../modules/browser/limits.ts';
import { createExecutor, normalizeScenarios, parseSegment, splitSegment, workerSegments } from './ports.ts';
import type { ScenarioConfig } from './ports.ts';

/** One worker thread's share of the test. */
export interface InstanceSegment {
  segment?: string;
  sequence?: string;
  /** Added to a VU's own number (1..) for exec.vu.idInTest. */
  idOffset: number;
  /** Added to a VU's own number (1..) for __VU / exec.vu.idInInstance: the VUs of the workers before it. */
  vuOffset: number;
  /** The most VUs this worker holds. */
  maxVus: number;
  /** ms after the test start by which every scenario of this worker has ended, gracefulStop included. */
  endMs: number;
  /** Per scenario: [name, gracefulStop ms] (how long a graceful stop may take). */
  gracefulStops: [string, number][];
  /** Per scenario: [name, ms after the test start by which it has ended here, gracefulStop included]. */
  scenarioEnds: [string, number][];
}

/** Limits the coordinator enforces by terminating the worker thread that crosses them (ms, MB). */
export interface RunLimits {
  initMs: number;
  setupMs: number;
  teardownMs: number;
  handleSummaryMs: number;
  /** V8 old-generation limit of each worker thread (resourceLimits.maxOldGenerationSizeMb). */
  workerMemoryMb: number;
}

export interface TestPlan {
  /** Absolute script path, and as the user gave it (for messages). */
  scriptPath: string;
  script: string;
  /** Consolidated k6 options with the normalised scenarios (exec.test.options). */
  options: Record<string, unknown>;
  scenarios: Record<string, ScenarioConfig>;
  /**
   * options.thresholds parsed once, here (a syntax error is one ConfigError line before any VU
   * starts); every collector and the coordinator's store use these, none parses them again.
   */
  thresholds: ThresholdSet[];
  /** __ENV. */
  env: Record<string, string>;
  settings: RunSettings;
  /** The user's --execution-segment as parsed (this process's share of the whole test). */
  share: number;
  /** Max VUs over this process (the header's "max VUs"). */
  maxVus: number;
  instances: InstanceSegment[];
  limits: RunLimits;
  /** Collectors keep raw samples (an --out output wants them). */
  keepSamples: boolean;
  /** Collectors keep per-second aggregates (an output charts the run: engine/metrics/timeline.ts). */
  keepTimeline: boolean;
  /** What every thread of the run starts with (worker-start.ts workerStartOf). */
  workerStart: WorkerStart;
}

/** k6's default for setupTimeout and teardownTimeout; also the init limit. */
export const defaultLifecycleMs = 60_000;
/** k6's default for handleSummaryTimeout (k6 2.2 made the former fixed 120 s an option: grafana/k6#5854). */
export const defaultHandleSummaryMs = 120_000;

export interface PrepareInput {
  scriptPath: string;
  script: string;
  /** The script's exported options, as plain data (from the init VU in a worker). */
  scriptOptions: Record<string, unknown>;
  flags: ConfigLayer;
  processEnv: NodeJS.ProcessEnv;
  cwd: string;
  /** Custom metrics the init VU defined (thresholds on them validate before the run). */
  definitions: ReadonlyMap<string, MetricDef>;
  log: Logger;
}

/** Iterations a second an arrival-rate scenario starts at its highest (0: VU-based executors start as their VUs allow). */
function iterationsPerSecond(c: ScenarioConfig | undefined): number {
  if (c?.executor === 'constant-arrival-rate') return (c.rate * 1000) / c.timeUnit;
  if (c?.executor === 'ramping-arrival-rate') return (Math.max(c.startRate, ...c.stages.map((s) => s.target)) * 1000) / c.timeUnit;
  return 0;
}

/**
 * Consolidates, validates (ConfigError: exit 104) and plans the test. Also returns the coordinator's
 * metrics store and outputs (they are not cloneable, so they stay beside the plan, not in it).
 */
export function prepare(input: PrepareInput): { plan: TestPlan; metrics: RunMetrics } {
  const config = consolidate({ script: input.scriptOptions, env: layerFromEnv(input.processEnv), flags: input.flags, processEnv: input.processEnv, cwd: input.cwd });
  const scenarios = normalizeScenarios(config.options);
  const options: Record<string, unknown> = { ...config.options, scenarios };
  const settings = config.settings;
  const userSegment = typeof options.executionSegment === 'string' ? options.executionSegment : undefined;
  const userSequence = typeof options.executionSegmentSequence === 'string' ? options.executionSegmentSequence : undefined;
  const executorsOf = (segment: string | undefined, sequence: string | undefined): Executor[] =>
    Object.entries(scenarios).map(([name, c]) => createExecutor(name, c, parseSegment(segment, sequence)));
  const ownSegment = parseSegment(userSegment, userSequence);
  const ownExecutors = executorsOf(userSegment, userSequence);
  const maxVus = maxPlannedVus(ownExecutors);
  // browser VUs are heavy (a Chromium context each): refuse a plan this machine cannot hold
  checkBrowserScenarios(scenarios, (name) => ownExecutors.find((e) => e.name === name)?.maxVus() ?? 0, input.processEnv);
  // --workers N, or one thread per vusPerWorker planned VUs or per iterationsPerWorker arrivals a
  // second (config/threads.ts), up to the cores; never more threads than VUs. Not inside a user
  // segment, where every instance of the sequence must split it the same way (same N) for their
  // shares to still add up to the whole test: there N is --workers or the cores, whatever this
  // instance's share of the VUs.
  const workers = userSegment ? (settings.workers ?? machineWorkerCount()) : planWorkerCount(settings.workers, maxVus, peak(ownExecutors, (e) => iterationsPerSecond(scenarios[e.name])));
  const segments =
    workers === 1 ? [{ segment: userSegment, sequence: userSequence }] : userSegment ? splitSegment(userSegment, userSequence, workers) : workerSegments(workers);
  const maxVusOf = (segment: string | undefined, sequence: string | undefined) => maxPlannedVus(executorsOf(segment, sequence));
  let vuOffset = 0;
  const instances: InstanceSegment[] = segments.map((seg) => {
    const executors = executorsOf(seg.segment, seg.sequence);
    const mine = maxPlannedVus(executors);
    const instance: InstanceSegment = {
      segment: seg.segment,
      sequence: seg.sequence,
      idOffset: idOffset(seg.segment, seg.sequence, maxVusOf),
      vuOffset,
      maxVus: mine,
      endMs: Math.max(0, ...executors.map((e) => e.startTime + e.maxDuration())),
      gracefulStops: Object.entries(scenarios).map(([name, c]) => [name, c.gracefulStop]),
      scenarioEnds: executors.map((e) => [e.name, e.startTime + e.maxDuration()]),
    };
    vuOffset += mine;
    return instance;
  });
  const thresholds = parseRunThresholds(options);
  const metrics = createRunMetrics({
    options,
    thresholds,
    log: input.log,
    noThresholds: options.noThresholds === true,
    definitions: input.definitions,
    settings,
    cwd: input.cwd,
    env: input.processEnv,
    // --out segment hashes it to tell segments of different tests apart
    script: { path: input.script, code: readFileSync(input.scriptPath, 'utf8') },
  });
  const durationOption = (name: string, fallback = defaultLifecycleMs) => (options[name] !== undefined ? optionDurationMs(name, options[name]) : fallback);
  const plan: TestPlan = {
    scriptPath: input.scriptPath,
    script: input.script,
    options,
    scenarios,
    thresholds,
    env: config.scriptEnv,
    settings,
    share: ownSegment.scale(1_000_000) / 1_000_000,
    maxVus,
    instances,
    limits: {
      initMs: settings.initTimeoutMs ?? defaultLifecycleMs,
      setupMs: durationOption('setupTimeout'),
      teardownMs: durationOption('teardownTimeout'),
      handleSummaryMs: durationOption('handleSummaryTimeout', defaultHandleSummaryMs),
      workerMemoryMb: runWorkerMemoryMb(settings),
    },
    keepSamples: metrics.wantsSamples,
    keepTimeline: metrics.wantsTimeline,
    workerStart: workerStartOf(input.scriptPath, settings, input.cwd),
  };
  return { plan, metrics };
}
