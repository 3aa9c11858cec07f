/**
 * The runner's one seam to the metrics layer (engine/metrics, engine/summary, engine/outputs):
 * a per-instance collector (MetricSink + drain() of a structured-cloneable delta), the main-thread
 * store that merges deltas, checks thresholds and writes the summary and outputs.
 *
 * INTERIM: until engine/metrics lands, this holds the runner's own counters (count and sum per
 * metric, merged exactly across workers) and writes them to --summary-export in k6's
 * `metrics.<name>.count` shape; no thresholds. Replaced by the metrics layer's API when it exists.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunSettings } from '../config/index.ts';
import type { Logger } from '../log.ts';
import type { MetricSink, MetricType } from '../types.ts';

type Totals = Record<string, { type: MetricType; count: number; sum: number; last: number }>;

export interface Collector extends MetricSink {
  /** Everything collected since the last drain, as a structured-cloneable delta. */
  drain(): unknown;
}

const builtins: Record<string, MetricType> = {
  iterations: 'counter',
  iteration_duration: 'trend',
  vus: 'gauge',
  vus_max: 'gauge',
  dropped_iterations: 'counter',
  checks: 'rate',
  data_sent: 'counter',
  data_received: 'counter',
};

export function createCollector(): Collector {
  const types = new Map<string, MetricType>(Object.entries(builtins));
  let totals: Totals = {};
  return {
    define(name, type) {
      const known = types.get(name);
      if (known && known !== type) throw new Error(`metric ${name} is a ${known}, not a ${type}`);
      types.set(name, type);
    },
    add(name, value) {
      const t = (totals[name] ??= { type: types.get(name) ?? 'counter', count: 0, sum: 0, last: 0 });
      t.count++;
      t.sum += value;
      t.last = value;
    },
    drain() {
      const out = totals;
      totals = {};
      return out;
    },
  };
}

export interface ResultsInput {
  settings: RunSettings;
  handleSummary?: (data: unknown) => Promise<unknown>;
  stdout: NodeJS.WritableStream;
  cwd: string;
}

export interface RunMetrics {
  merge(delta: unknown): void;
  start(startEpoch: number): void;
  /** Thresholds evaluated mid-test; abort = an abortOnFail threshold failed. */
  checkThresholds(elapsedMs: number): { abort: boolean };
  /** Final evaluation; true when a threshold failed. */
  finish(elapsedMs: number): boolean;
  writeResults(input: ResultsInput): Promise<void>;
}

export function createRunMetrics(_opts: { options: Readonly<Record<string, unknown>>; log: Logger; noThresholds: boolean }): RunMetrics {
  const totals: Totals = {};
  let duration = 0;
  return {
    merge(delta) {
      for (const [name, t] of Object.entries((delta ?? {}) as Totals)) {
        const m = (totals[name] ??= { type: t.type, count: 0, sum: 0, last: 0 });
        m.count += t.count;
        m.sum += t.sum;
        m.last = t.last;
      }
    },
    start() {},
    checkThresholds: () => ({ abort: false }),
    finish(elapsedMs) {
      duration = elapsedMs;
      return false;
    },
    async writeResults(input) {
      const metrics = Object.fromEntries(
        Object.entries(totals).map(([name, t]) => [name, t.type === 'gauge' ? { value: t.last } : { count: t.type === 'counter' ? t.sum : t.count, sum: t.sum }]),
      );
      const data = { state: { testRunDurationMs: duration }, metrics };
      if (input.settings.summaryExport) writeFileSync(path.resolve(input.cwd, input.settings.summaryExport), `${JSON.stringify(data, null, 2)}\n`);
      if (input.handleSummary) await input.handleSummary(data);
      else input.stdout.write(`\n  iterations: ${totals.iterations?.sum ?? 0}\n`);
    },
  };
}
