/**
 * The readiness report's vocabulary: each success metric of the guide with its measured value and
 * where the value came from, each load scenario's verdict, and the one verdict. `--json` prints a
 * ReadinessReport as it is; readiness.json in the results folder holds the same.
 */
import type { PreflightReport } from '../preflight/types.ts';

export interface ScenarioOutcome {
  name: string;
  /** The load run's exit code: 0 passed, 99 thresholds crossed, anything else did not complete. */
  exitCode: number;
  passed: boolean;
  /** One line: "passed" or what failed (the crossed thresholds, or how the run ended). */
  reason: string;
  durationMs: number;
  /** Its run folder (summary.json, junit.xml, report.html, run.json). */
  resultsDir: string;
  /** From its summary.json (absent when the run wrote none). */
  requests?: number;
  failedRequests?: number;
  avgResponseMs?: number;
  /** stress only: seconds from the end of the peak until the system answered well again. */
  recoverySeconds?: number;
}

export type MetricStatus = 'pass' | 'fail' | 'not measured';

export interface SuccessMetric {
  /** health-score, uptime, avg-response, error-rate, scenarios, recovery-time */
  id: string;
  /** The guide's words: "Health score", "Uptime", … */
  name: string;
  /** The bar, e.g. "> 90 %". */
  target: string;
  /** The measured number (null when not measured). */
  value: number | null;
  /** The value for people, e.g. "96.4 %", "212 ms", "7 of 8 passed". */
  shown: string;
  status: MetricStatus;
  /** Where the value comes from, e.g. "monitor: 184 polls of /api/health over 3.4 min". */
  source: string;
}

export interface MonitorSummary {
  polls: number;
  upPolls: number;
  uptimePercent: number;
  intervalMs: number;
  durationMs: number;
  /** Alert rules that fired during the run. */
  alertsFired: string[];
}

export interface ReadinessReport {
  target: string;
  embedded: boolean;
  profile: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  resultsDir: string;
  verdict: 'ready' | 'not ready';
  /** Why not ready, one line each (empty when ready). */
  reasons: string[];
  metrics: SuccessMetric[];
  scenarios: ScenarioOutcome[];
  /** Scenarios that were to run but did not (stopped early). */
  skipped: string[];
  preflight: PreflightReport;
  monitor: MonitorSummary;
}
