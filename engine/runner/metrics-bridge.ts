/**
 * The runner's one seam to the measurement layer (engine/metrics, engine/summary; engine/outputs
 * as it lands): per-instance collectors, the main-thread store that merges their deltas and checks
 * thresholds (every 2 s and at the end), and the end of the run — handleSummary or k6's text
 * summary (engine/summary produceSummary), and --summary-export.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunSettings } from '../config/index.ts';
import type { Logger } from '../log.ts';
import { abortOnFailMessage, createCollector as createMetricsCollector, crossedThresholdsMessage, MetricsStore } from '../metrics/index.ts';
import type { Collector, MetricDef, SummaryData, ThresholdEvaluation } from '../metrics/index.ts';
import { produceSummary } from '../summary/index.ts';

export type { Collector };

/** A collector for one process (thread): aggregates sub-metrics the thresholds name; keeps raw samples when outputs need them. */
export function createCollector(options: Readonly<Record<string, unknown>> = {}, keepSamples = false): Collector {
  return createMetricsCollector({ thresholds: thresholdsOf(options), keepSamples });
}

function thresholdsOf(options: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const t = options.thresholds;
  return t && typeof t === 'object' ? (t as Record<string, unknown>) : undefined;
}

export interface ResultsInput {
  settings: RunSettings;
  /** Calls the script's handleSummary(data) (main-thread VU); undefined when it exports none. */
  handleSummary?: (data: SummaryData) => Promise<unknown>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  setupData: unknown;
}

export interface RunMetrics {
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
  log: Logger;
  noThresholds: boolean;
  /** Custom metrics the init VU declared (so thresholds on them validate before the run). */
  definitions: ReadonlyMap<string, MetricDef>;
}

/** The main-thread store; validates thresholds (ConfigError, exit 104) before anything runs. */
export function createRunMetrics(o: RunMetricsOptions): RunMetrics {
  const store = new MetricsStore({ thresholds: thresholdsOf(o.options), noThresholds: o.noThresholds });
  for (const [name, def] of o.definitions) store.define(name, def.type, def.contains);
  store.validate();
  let durationMs = 0;
  let abortLogged = false;
  return {
    merge: (delta) => store.merge(delta),
    start() {},
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
      const e = store.evaluateThresholds(elapsedMs);
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
      if (input.settings.summaryExport) writeSummaryExport(path.resolve(input.cwd, input.settings.summaryExport), data);
      await produceSummary({
        data,
        handleSummary: input.handleSummary as ((d: unknown) => unknown) | undefined,
        enableColors: !input.settings.noColor && (input.stdout as NodeJS.WriteStream).isTTY === true,
        summaryMode: opts.noSummary === true ? 'disabled' : input.settings.summaryMode,
        log: o.log,
        stdout: input.stdout,
        stderr: input.stderr,
        cwd: input.cwd,
      });
    },
  };
}

/**
 * --summary-export: k6's export JSON (metrics with their values flattened, root_group's checks).
 * INTERIM until engine/outputs provides it.
 */
function writeSummaryExport(file: string, data: SummaryData): void {
  const metrics: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(data.metrics)) {
    const values: Record<string, unknown> = { ...m.values };
    if (m.type === 'rate' && 'rate' in values) values.value = values.rate;
    if (m.thresholds) values.thresholds = Object.fromEntries(Object.entries(m.thresholds).map(([k, v]) => [k, !v.ok]));
    metrics[name] = values;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ root_group: data.root_group, metrics, state: data.state }, null, 2)}\n`);
}
