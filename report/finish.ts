/**
 * After a `load` run: the run folder's report.html gets what only exists once the run is over —
 * run.json's metadata, the live monitor's alerts (written after the outputs close) and, with
 * `--baseline`, the comparison with the baseline run and its verdict.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ReportData, RunMeta } from './data.ts';
import { compareRuns, loadRun, sideFromReport, type Comparison, type Rule } from './compare.ts';
import { extractPageData, renderReportHtml } from './html.ts';
import { readMonitor, readRunMeta } from './model.ts';
import { writeFileWhole } from '../engine/outputs/file-sink.ts';

/** `load --baseline`'s exit code when the run passed but regressed beyond a --fail-on rule. */
export const BASELINE_REGRESSION_EXIT = 111;

export interface FinishOptions {
  /** The run's report.html. */
  reportFile: string;
  /** The baseline run (folder, report.html or summary.json). */
  baseline?: string;
  rules?: Rule[];
  /** What the report shows when there is no run.json (e.g. the scenario and profile `load` ran). */
  fallbackMeta?: RunMeta;
}

/**
 * The run's exit code once the baseline has been judged: a run that passed but regressed beyond a
 * --fail-on rule fails with BASELINE_REGRESSION_EXIT; a run that failed keeps its own code.
 */
export function exitAfterBaseline(code: number, comparison: Comparison | undefined): number {
  return comparison?.failed && code === 0 ? BASELINE_REGRESSION_EXIT : code;
}

export function finishRunReport(o: FinishOptions): { comparison?: Comparison } {
  if (!existsSync(o.reportFile)) return {};
  const data = extractPageData(readFileSync(o.reportFile, 'utf8')) as ReportData;
  const dir = path.dirname(o.reportFile);
  const meta = readRunMeta(dir) ?? o.fallbackMeta;
  if (meta) {
    data.meta = meta;
    if (meta.scenario) data.title = `aetos-load: ${meta.scenario}${meta.profile ? ` (${meta.profile})` : ''}`;
  }
  const monitor = readMonitor(dir);
  if (monitor) data.monitor = monitor;
  let comparison: Comparison | undefined;
  if (o.baseline) {
    comparison = compareRuns(loadRun(o.baseline), sideFromReport(data, dir), o.rules ?? []);
    data.baseline = comparison;
    // run.json is written after the report: the exit code the report shows is the final one.
    if (data.meta && typeof data.meta.exitCode === 'number' && exitAfterBaseline(data.meta.exitCode, comparison) !== data.meta.exitCode) {
      data.meta = { ...data.meta, exitCode: BASELINE_REGRESSION_EXIT, exitReason: `regressed against the baseline: ${comparison.verdict}` };
    }
  }
  writeFileWhole(o.reportFile, renderReportHtml(data));
  return { comparison };
}
