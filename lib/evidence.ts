/**
 * A scenario never passes a criterion it could not measure. Each judged metric stands on evidence
 * the target must provide (`evidenceNeeded`); when a measurement is taken, the scenario code calls
 * `evidenceSeen(metric)`, which adds to the Counter `evidence{criterion:<metric>}`.
 * `thresholdsFor` (lib/thresholds.ts) adds `evidence{criterion:<metric>}: ['count>0']` for every
 * judged metric listed here, so a criterion with no evidence fails the run (exit 99; empty
 * metrics are judged at the end, as in k6) instead of passing on `value=0`, and the JUnit report
 * and summary name it. The scenario also logs one line saying what is missing and why
 * (`evidenceMissing`), e.g.
 *   target_memory_growth_mb_per_hour: /metrics has no process_resident_memory_bytes; 0 of 17 samples
 * Plain k6 (a Counter, a threshold, console.error): real k6 judges it the same way.
 */
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import { criterionOf } from './evidence-criteria.ts';

export { evidenceNeeded, evidenceThresholds } from './evidence-criteria.ts';

// k6 provides console in every VU; @types/k6 does not declare it
declare const console: { error(...args: unknown[]): void };

const evidence = new Counter('evidence');
/** Once per VU per criterion: the threshold needs one, and a sample per request would cost. */
const seenHere = new Set<string>();

export function evidenceSeen(metric: string): void {
  if (seenHere.has(metric)) return;
  seenHere.add(metric);
  evidence.add(1, { criterion: criterionOf(metric) });
}

const saidHere = new Set<string>();

/** Logs, once per VU and criterion, the line that says what is missing and why. */
export function evidenceMissing(metric: string, why: string): void {
  if (saidHere.has(metric) || seenHere.has(metric)) return;
  saidHere.add(metric);
  console.error(`${metric}: ${why}`);
}

/** Whether this VU speaks for all: per-request evidence is reported by the first VU only (one line, not one per VU). */
export function firstVu(): boolean {
  return exec.vu.idInTest === 1;
}
