/**
 * The report's data: everything report.html, the live dashboard and compare read. It is embedded
 * in report.html as JSON (report/html.ts), so a report is also the run's record for compare.
 * Format version 1; fields are added, never renamed.
 */
import type { SummaryData, SummaryGroup } from '../engine/metrics/store.ts';
import type { BinPairs } from './log-histogram.ts';

/** One column of a time series: a value per bucket, null where the bucket had no sample. */
export type Column = (number | null)[];

export interface SeriesData {
  /** Width of one bucket, ms (grows by doubling so a run keeps at most MAX_POINTS buckets). */
  bucketMs: number;
  /** Bucket start times, ms since the epoch. */
  t: number[];
  /**
   * vus, vus_max, reqs (requests/s), p50/p95/p99 (http_req_duration, ms), errors (% of
   * http_req_failed), checks (% passed), dropped (dropped_iterations per bucket), iterations (/s).
   */
  cols: Record<string, Column>;
  /** Per scenario tag: reqs, p95, errors (same units). */
  scenarios: Record<string, Record<string, Column>>;
  /**
   * Custom metrics (the script's own: target_memory_rss_mb, db_query_duration, …): gauge → value;
   * trend → p50, p95; counter → per_s; rate → rate (%).
   */
  custom: Record<string, { type: string; contains: string; cols: Record<string, Column> }>;
}

/** Per `name` tag of the HTTP requests, over the whole run. */
export interface RequestStats {
  name: string;
  count: number;
  /** http_req_failed samples that were failures, and all of them. */
  failed: number;
  failedOf: number;
  /** http_req_duration, binned 1 % wide (report/log-histogram.ts): the compare test reads these. */
  durations: BinPairs;
  min: number;
  max: number;
  /** Most frequent error codes of failed requests (k6 error_code, else "HTTP <status>"), with counts. */
  errors: [code: string, count: number][];
}

export interface ThresholdRow {
  metric: string;
  source: string;
  ok: boolean;
  /** The measured value the expression was judged on (from the summary's values). */
  value?: number;
  /** Live dashboard: the criterion, judged at the end. */
  pending?: boolean;
}

/** run.json as the `load` command writes it (every field optional: it may be absent or older). */
export interface RunMeta {
  startedAt?: string;
  endedAt?: string;
  scenario?: string;
  profile?: string;
  baseUrl?: string;
  exitCode?: number;
  exitReason?: string;
  engineVersion?: string;
  gitCommit?: string;
  files?: string[];
  /** Present when the load generator was the bottleneck (engine/metrics/generator.ts). */
  generatorSaturated?: string;
  [key: string]: unknown;
}

export interface MonitorAlertRow {
  state: string;
  rule: string;
  severity: string;
  metric: string;
  value: number;
  threshold: number;
  at: string;
  message: string;
}

export interface ReportData {
  v: 1;
  title: string;
  /** ms since the epoch: first and last sample. */
  startMs: number;
  endMs: number;
  /** True while a dashboard streams it (the run is not over). */
  live: boolean;
  passed: boolean;
  thresholds: ThresholdRow[];
  /** The exact end-of-test metrics (k6's handleSummary data `metrics`). */
  metrics: SummaryData['metrics'];
  durationMs: number;
  checks: SummaryGroup;
  series: SeriesData;
  requests: RequestStats[];
  /** The one line saying the load generator was the bottleneck (engine/metrics/generator.ts); absent when it was not. */
  generator?: string;
  meta?: RunMeta;
  monitor?: { target?: string; polls?: number; uptimePercent?: number; alerts: MonitorAlertRow[] };
  /** Added by `load --baseline`: the comparison with the baseline run. */
  baseline?: import('./comparison.ts').Comparison;
}
