/**
 * The runner's one seam to the measurement layer (engine/metrics; engine/summary and
 * engine/outputs as they land): per-instance collectors, the main-thread store that merges
 * their deltas and checks thresholds (every 2 s and at the end), and the end of the run —
 * handleSummary (its returned map written to stdout/stderr/files) or the default summary, and
 * --summary-export.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunSettings } from '../config/index.ts';
import type { Logger } from '../log.ts';
import { abortOnFailMessage, createCollector as createMetricsCollector, crossedThresholdsMessage, MetricsStore } from '../metrics/index.ts';
import type { Collector, MetricDef, SummaryData, ThresholdEvaluation } from '../metrics/index.ts';

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
      if (input.handleSummary) {
        const result = await input.handleSummary(data);
        writeHandleSummaryResult(result, input);
      } else if (opts.noSummary !== true) {
        input.stdout.write(defaultSummary(data));
      }
    },
  };
}

/**
 * handleSummary's return value, as k6 treats it: `stdout` and `stderr` keys are printed, every
 * other key is a file path (relative to the working directory) the value is written to.
 */
export function writeHandleSummaryResult(result: unknown, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; cwd: string }): void {
  if (!result || typeof result !== 'object') return;
  for (const [key, value] of Object.entries(result as Record<string, unknown>)) {
    const text = typeof value === 'string' || value instanceof Uint8Array ? value : JSON.stringify(value);
    if (key === 'stdout') io.stdout.write(text);
    else if (key === 'stderr') io.stderr.write(text);
    else {
      const file = path.resolve(io.cwd, key);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
  }
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

/** INTERIM until engine/summary provides k6's text summary: one line per metric. */
function defaultSummary(data: SummaryData): string {
  const lines = Object.entries(data.metrics)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, m]) => {
      const vals = Object.entries(m.values)
        .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toFixed(3)) : v}`)
        .join(' ');
      return `     ${name.padEnd(28, '.')}: ${vals}`;
    });
  return `\n${lines.join('\n')}\n\n`;
}
