/**
 * What every output (--out json/csv/junit, --summary-export, the GitHub step summary) implements.
 * The runner starts them before the test, feeds raw samples as they are drained, and stops them
 * with the final summary data; several run at once.
 */
import type { MetricDef } from '../metrics/builtin.ts';
import type { MetricsDelta, Sample } from '../metrics/collector.ts';
import type { TimelineDelta } from '../metrics/timeline.ts';
import type { SummaryData } from '../metrics/store.ts';
import type { ThresholdSet } from '../metrics/thresholds.ts';

export interface OutputStartInfo {
  /** A metric's type/contains; looked up when its first sample arrives (custom metrics included). */
  definition(name: string): MetricDef | undefined;
  /** The parsed thresholds (json's Metric lines list them). */
  thresholds: readonly ThresholdSet[];
  /** The run as a whole, for outputs that record it (segment); the runner sets it. */
  run?: RunRecord;
}

/** What the segment output writes down besides the summary data. */
export interface RunRecord {
  /** The script as given and the code the engine ran. */
  script: { path: string; code: string };
  /** The consolidated options (execution segment and sequence included). */
  options: Readonly<Record<string, unknown>>;
  /** Everything merged so far (final once the outputs are stopped): MetricsStore.snapshot(). */
  snapshot(): MetricsDelta;
  /** ms since the epoch when the scenarios started; 0 until then, or when they never did. */
  startEpoch(): number;
}

export interface Output {
  /** e.g. "json (results.json)", shown in the run header. */
  readonly description: string;
  /** The file it writes, checked before the test starts (none for the GitHub step summary). */
  readonly path?: string;
  /** Whether the collectors must keep raw samples for this output. */
  readonly wantsSamples: boolean;
  start(info: OutputStartInfo): Promise<void>;
  /** Raw samples in arrival order (may be called often; must not block). */
  addSamples(samples: readonly Sample[]): void;
  /**
   * Whether the collectors must keep per-second aggregates (engine/metrics/timeline.ts) for this
   * output: what a chart needs, without raw samples crossing from the workers.
   */
  readonly wantsTimeline?: boolean;
  /** One collector's timeline rows, as its deltas arrive (several collectors interleave; must not block). */
  addTimeline?(timeline: TimelineDelta): void;
  /** Writes what is left and closes; `data` is the final handleSummary data. */
  stop(data: SummaryData): Promise<void>;
}
