/**
 * Builds ReportData from the end-of-test summary data and the recorder's series (pure), and reads
 * the run folder's extras: run.json (when the `load` command wrote one) and the live monitor's
 * monitor.json (`--monitor`).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generatorVerdict } from '../engine/metrics/generator.ts';
import { parseThresholdExpression } from '../engine/metrics/thresholds.ts';
import type { SummaryData } from '../engine/metrics/store.ts';
import type { MonitorAlertRow, ReportData, RunMeta, ThresholdRow } from './data.ts';
import type { RunRecorder } from './recorder.ts';

/** Every threshold of the summary with the value it was judged on. */
export function thresholdRows(metrics: SummaryData['metrics']): ThresholdRow[] {
  const rows: ThresholdRow[] = [];
  for (const [metric, m] of Object.entries(metrics)) {
    for (const [source, r] of Object.entries(m.thresholds ?? {})) {
      let value: number | undefined;
      try {
        const e = parseThresholdExpression(source);
        const key = m.type === 'counter' && e.aggregation === 'count' ? 'count' : e.aggregationName;
        value = m.values[key];
      } catch {
        value = undefined;
      }
      rows.push({ metric, source, ok: r.ok, value });
    }
  }
  return rows;
}

export interface BuildOptions {
  title: string;
  live: boolean;
  meta?: RunMeta;
}

export function buildReportData(summary: SummaryData, recorder: RunRecorder, o: BuildOptions): ReportData {
  const thresholds = thresholdRows(summary.metrics);
  const generator = generatorVerdict((m) => summary.metrics[m]?.values)?.message;
  return {
    v: 1,
    title: o.title,
    startMs: recorder.startMs,
    endMs: recorder.endMs,
    live: o.live,
    passed: thresholds.every((t) => t.ok),
    thresholds,
    metrics: summary.metrics,
    durationMs: summary.state.testRunDurationMs,
    checks: summary.root_group,
    series: recorder.series(),
    requests: recorder.requests(),
    ...(generator ? { generator } : {}),
    ...(o.meta ? { meta: o.meta } : {}),
  };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** run.json in `dir`, when there is one (never required). */
export function readRunMeta(dir: string): RunMeta | undefined {
  const j = readJson(path.join(dir, 'run.json'));
  return j && typeof j === 'object' && !Array.isArray(j) ? (j as RunMeta) : undefined;
}

/** monitor.json in `dir` (written by `run --monitor`), reduced to what the report shows. */
export function readMonitor(dir: string): ReportData['monitor'] {
  const file = path.join(dir, 'monitor.json');
  if (!existsSync(file)) return undefined;
  const j = readJson(file) as { target?: string; polls?: number; uptimePercent?: number; alerts?: MonitorAlertRow[] } | undefined;
  if (!j || typeof j !== 'object') return undefined;
  const alerts = Array.isArray(j.alerts)
    ? j.alerts.map((a) => ({
        state: String(a.state),
        rule: String(a.rule),
        severity: String(a.severity),
        metric: String(a.metric),
        value: Number(a.value),
        threshold: Number(a.threshold),
        at: String(a.at),
        message: String(a.message),
      }))
    : [];
  return { target: typeof j.target === 'string' ? j.target : undefined, polls: j.polls, uptimePercent: j.uptimePercent, alerts };
}
