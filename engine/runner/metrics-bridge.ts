/**
 * The runner's one seam to the measurement layer (engine/metrics, engine/summary, engine/outputs):
 * per-instance collectors, the main-thread store that merges their deltas and checks thresholds
 * (every 2 s and at the end), the outputs fed with raw samples as deltas arrive (--out json/csv/
 * junit, --summary-export, $GITHUB_STEP_SUMMARY), and the end of the run — handleSummary or k6's
 * text summary (engine/summary produceSummary).
 */
import type { RunSettings } from '../config/index.ts';
import { iterationsPerWorker, machineWorkerCount, vusPerWorker } from '../config/threads.ts';
import type { Logger } from '../log.ts';
import { abortOnFailMessage, crossedThresholdsMessage, generatorVerdict, MetricsStore, parseThresholds } from '../metrics/index.ts';
import type { MetricDef, MetricsDelta, ThresholdEvaluation, ThresholdSet } from '../metrics/index.ts';
import { createOutputs, OutputSet, ResultsWriteError } from '../outputs/index.ts';
import { produceSummary } from '../summary/index.ts';

export { createCollector } from './thread-collector.ts';
export type { Collector } from './thread-collector.ts';

/** options.thresholds parsed (ConfigError, exit 104, on a syntax error): once per run, in prepare(). */
export function parseRunThresholds(options: Readonly<Record<string, unknown>>): ThresholdSet[] {
  const t = options.thresholds;
  return parseThresholds(t && typeof t === 'object' ? (t as Record<string, unknown>) : undefined);
}

export interface ResultsInput {
  settings: RunSettings;
  /** Calls the script's handleSummary(data) (main-thread VU); undefined when it exports none. */
  handleSummary?: (data: unknown) => Promise<unknown>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  setupData: unknown;
  /** False when the scenarios never started (init or setup failed): outputs are closed, no summary is printed. */
  printSummary: boolean;
  /** Worker threads that ran the VUs: a saturated run on fewer than the cores, unasked, is told how to add some. */
  workers: number;
}

export interface RunMetrics {
  /** Whether collectors must keep raw samples (an --out output wants them). */
  readonly wantsSamples: boolean;
  /** Whether collectors must keep per-second aggregates (the report or the dashboard charts the run). */
  readonly wantsTimeline: boolean;
  /** The outputs as the run header lists them, e.g. "json (results.json)". */
  readonly outputDescriptions: string[];
  /** Opens the outputs (files, streams) before the test starts. */
  open(): Promise<void>;
  merge(delta: unknown): void;
  start(startEpoch: number): void;
  /** Thresholds evaluated mid-test; abort = an abortOnFail threshold crossed (after its delayAbortEval). */
  checkThresholds(elapsedMs: number): { abort: boolean };
  /** Final evaluation; true when a threshold was crossed (the message is logged). */
  finish(elapsedMs: number): boolean;
  writeResults(input: ResultsInput): Promise<void>;
}

export interface RunMetricsOptions {
  options: Readonly<Record<string, unknown>>;
  /** options.thresholds as parsed by parseRunThresholds. */
  thresholds: readonly ThresholdSet[];
  log: Logger;
  noThresholds: boolean;
  /** Custom metrics the init VU declared (so thresholds on them validate before the run). */
  definitions: ReadonlyMap<string, MetricDef>;
  settings: RunSettings;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The script as given and the code the engine runs (--out segment records its hash). */
  script: { path: string; code: string };
}

/** The main-thread store; validates thresholds (ConfigError, exit 104) before anything runs. */
export function createRunMetrics(o: RunMetricsOptions): RunMetrics {
  const store = new MetricsStore({ thresholdSets: o.thresholds, noThresholds: o.noThresholds });
  for (const [name, def] of o.definitions) store.define(name, def.type, def.contains);
  store.validate();
  const outputs = new OutputSet(createOutputs(o.settings.out, { cwd: o.cwd, summaryExport: o.settings.summaryExport, env: o.env, log: o.log }));
  let durationMs = 0;
  let startEpoch = 0;
  let abortLogged = false;
  return {
    wantsSamples: outputs.wantsSamples,
    wantsTimeline: outputs.wantsTimeline,
    outputDescriptions: outputs.outputs.map((x) => x.description),
    open: () =>
      outputs.start({
        definition: (n) => store.definition(n),
        thresholds: store.thresholdSets(),
        run: { script: o.script, options: o.options, snapshot: () => store.snapshot(), startEpoch: () => startEpoch },
      }),
    merge(delta) {
      store.merge(delta);
      outputs.addSamples((delta as MetricsDelta | undefined)?.samples);
      outputs.addTimeline((delta as MetricsDelta | undefined)?.timeline);
    },
    start(epoch) {
      startEpoch = epoch;
    },
    checkThresholds(elapsedMs) {
      const e: ThresholdEvaluation = store.evaluateThresholds(elapsedMs);
      if (e.abort && !abortLogged) {
        abortLogged = true;
        o.log.error(abortOnFailMessage(e));
      }
      return { abort: e.abort };
    },
    finish(elapsedMs) {
      durationMs = elapsedMs;
      const e = store.evaluateThresholds(elapsedMs, { final: true });
      if (e.crossed.length > 0) o.log.error(crossedThresholdsMessage(e));
      return e.crossed.length > 0;
    },
    async writeResults(input) {
      const opts = o.options;
      const data = store.summaryData({
        testRunDurationMs: durationMs,
        summaryTrendStats: Array.isArray(opts.summaryTrendStats) ? (opts.summaryTrendStats as string[]) : undefined,
        summaryTimeUnit: typeof opts.summaryTimeUnit === 'string' ? opts.summaryTimeUnit : undefined,
        noColor: input.settings.noColor,
        isStdOutTTY: (input.stdout as NodeJS.WriteStream).isTTY === true,
        isStdErrTTY: (input.stderr as NodeJS.WriteStream).isTTY === true,
        setupData: input.setupData,
      });
      const failed = await outputs.stop(data).then(() => undefined, (err: Error) => err);
      if (input.printSummary && !(await produceSummary({
        data,
        handleSummary: input.handleSummary as ((d: unknown) => unknown) | undefined,
        enableColors: !input.settings.noColor && (input.stdout as NodeJS.WriteStream).isTTY === true,
        summaryMode: opts.noSummary === true ? 'disabled' : input.settings.summaryMode,
        log: o.log,
        stdout: input.stdout,
        stderr: input.stderr,
        cwd: input.cwd,
      }))) {
        throw new ResultsWriteError('a file handleSummary() returned could not be written (see above)');
      }
      const cores = machineWorkerCount();
      if (input.settings.workers === undefined && input.workers < cores && generatorVerdict((name) => data.metrics[name]?.values)) {
        o.log.warn(`the run used ${input.workers} worker thread${input.workers === 1 ? '' : 's'} of this machine's ${cores} cores (one per ${vusPerWorker} VUs or ${iterationsPerWorker} iterations/s unless --workers is given): --workers ${cores} spreads the VUs over all of them`);
      }
      if (failed) throw failed; // ResultsWriteError (exit 103): logged by the runner, even when every threshold held
    },
  };
}
