/**
 * One load scenario's verdict and numbers, read from its run folder's summary.json (the k6
 * summary export `load` writes): requests, failed requests, mean response time, recovery_time,
 * and the thresholds it crossed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ScenarioOutcome } from './types.ts';

type SummaryMetric = Record<string, unknown> & { thresholds?: Record<string, boolean> };

/** Why a run that is not 0 ended, in the engine's codes (engine/errors.ts). */
function exitWhy(code: number): string {
  if (code === 99) return 'thresholds crossed';
  if (code === 105) return 'stopped';
  if (code === 107) return 'the scenario did not build';
  return `the run ended with exit code ${code}`;
}

export function scenarioOutcome(name: string, exitCode: number, resultsDir: string, durationMs: number): ScenarioOutcome {
  const out: ScenarioOutcome = { name, exitCode, passed: exitCode === 0, reason: exitCode === 0 ? 'passed' : exitWhy(exitCode), durationMs, resultsDir };
  let metrics: Record<string, SummaryMetric>;
  try {
    metrics = (JSON.parse(readFileSync(path.join(resultsDir, 'summary.json'), 'utf8')) as { metrics: Record<string, SummaryMetric> }).metrics ?? {};
  } catch {
    if (exitCode === 0) Object.assign(out, { passed: false, reason: 'passed, but wrote no summary.json to judge' });
    return out;
  }
  const num = (m: string, k: string) => (typeof metrics[m]?.[k] === 'number' ? (metrics[m]?.[k] as number) : undefined);
  out.requests = num('http_reqs', 'count');
  out.failedRequests = num('http_req_failed', 'passes');
  out.avgResponseMs = num('http_req_duration', 'avg');
  out.recoverySeconds = num('recovery_time', 'value');
  const crossed: string[] = [];
  for (const [m, v] of Object.entries(metrics)) for (const [expr, hit] of Object.entries(v.thresholds ?? {})) if (hit) crossed.push(`${m} ${expr}`);
  if (crossed.length) out.reason = `${exitCode === 99 ? 'thresholds crossed' : exitWhy(exitCode)}: ${crossed.join(', ')}`;
  return out;
}
