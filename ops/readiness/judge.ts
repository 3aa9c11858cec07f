/**
 * The guide's success metrics ("crash-proof" when all hold), judged from what a readiness run
 * measured. Pure: the CLI gathers the preflight, the monitor's report and each scenario's summary;
 * tests give their own.
 *
 *   health score     > 90 %    the preflight's health test
 *   uptime           > 99.9 %  the monitor, over the whole readiness run (/api/health answering 200)
 *   average response < 500 ms  http_req_duration's mean over the scenarios of ordinary traffic,
 *                              weighted by their requests (see `ordinaryTraffic`)
 *   error rate       < 1 %     http_req_failed over every scenario but stress
 *   load scenarios   all pass  each scenario's own thresholds (thresholds.json)
 *   recovery time    < 5 min   the stress scenario's recovery_time
 *
 * A metric nothing measured (stress not run, no requests) is `not measured`, and the verdict is
 * then not ready: readiness is never claimed on evidence that was not gathered.
 */
import type { PreflightReport } from '../preflight/types.ts';
import type { MonitorSummary, ReadinessReport, ScenarioOutcome, SuccessMetric } from './types.ts';

export const bars = { healthScore: 90, uptimePercent: 99.9, avgResponseMs: 500, errorRatePercent: 1, recoverySeconds: 300 } as const;

/**
 * Scenarios whose traffic is left out of the average response time, and why: their latency is
 * judged by their own criterion, not by the everyday 500 ms.
 */
export const notOrdinaryTraffic: Readonly<Record<string, string>> = {
  stress: 'its 500-user peak may be slow by design; judged by recovery',
  upload: '10 MB transfers, judged by their own < 5 s',
  'concurrent-login': 'password hashing on purpose, judged by its own < 3 s',
};

/** Left out of the error rate: the stress peak may fail requests by design (the guide). */
export const notInErrorRate = ['stress'];

export interface JudgeInput {
  preflight: PreflightReport;
  monitor: MonitorSummary;
  scenarios: ScenarioOutcome[];
  /** Scenarios that were to run but did not. */
  skipped: string[];
}

const fmtPct = (v: number, digits = 1) => `${v.toFixed(digits)} %`;
const list = (names: string[]) => names.join(', ') || 'none';

function healthMetric(p: PreflightReport): SuccessMetric {
  const h = p.items.find((i) => i.id === 'health');
  const score = typeof h?.measured?.score === 'number' ? h.measured.score : null;
  const base = { id: 'health-score', name: 'Health score', target: `> ${bars.healthScore} %`, source: 'preflight: the health test' };
  if (score === null) return { ...base, value: null, shown: '—', status: 'not measured', source: `${base.source} (${h?.reason ?? 'not run'})` };
  return { ...base, value: score, shown: fmtPct(score), status: score > bars.healthScore ? 'pass' : 'fail' };
}

function uptimeMetric(m: MonitorSummary): SuccessMetric {
  const base = { id: 'uptime', name: 'Uptime', target: `> ${bars.uptimePercent} %` };
  const source = `monitor: ${m.upPolls} of ${m.polls} polls of /api/health answered 200, every ${m.intervalMs / 1000} s over ${(m.durationMs / 60_000).toFixed(1)} min`;
  if (m.polls === 0) return { ...base, value: null, shown: '—', status: 'not measured', source: 'monitor: no poll completed' };
  return { ...base, value: m.uptimePercent, shown: fmtPct(m.uptimePercent, 2), status: m.uptimePercent > bars.uptimePercent ? 'pass' : 'fail', source };
}

function avgResponseMetric(s: ScenarioOutcome[]): SuccessMetric {
  const base = { id: 'avg-response', name: 'Average response', target: `< ${bars.avgResponseMs} ms` };
  const used = s.filter((o) => !(o.name in notOrdinaryTraffic) && o.requests && o.avgResponseMs !== undefined);
  const n = used.reduce((a, o) => a + (o.requests as number), 0);
  const left = s.filter((o) => o.name in notOrdinaryTraffic).map((o) => o.name);
  const note = left.length ? `; left out: ${left.map((l) => `${l} (${notOrdinaryTraffic[l]})`).join(', ')}` : '';
  if (!n) return { ...base, value: null, shown: '—', status: 'not measured', source: `no scenario of ordinary traffic ran${note}` };
  const avg = used.reduce((a, o) => a + (o.avgResponseMs as number) * (o.requests as number), 0) / n;
  return { ...base, value: avg, shown: `${avg.toFixed(0)} ms`, status: avg < bars.avgResponseMs ? 'pass' : 'fail', source: `http_req_duration mean over ${n} requests of ${list(used.map((o) => o.name))}${note}` };
}

function errorRateMetric(s: ScenarioOutcome[]): SuccessMetric {
  const base = { id: 'error-rate', name: 'Error rate', target: `< ${bars.errorRatePercent} %` };
  const used = s.filter((o) => !notInErrorRate.includes(o.name) && o.requests);
  const n = used.reduce((a, o) => a + (o.requests as number), 0);
  if (!n) return { ...base, value: null, shown: '—', status: 'not measured', source: 'no scenario but stress ran' };
  const failed = used.reduce((a, o) => a + (o.failedRequests ?? 0), 0);
  const rate = (100 * failed) / n;
  const left = s.some((o) => notInErrorRate.includes(o.name)) ? '; stress left out (its peak may fail by design)' : '';
  return { ...base, value: rate, shown: fmtPct(rate, 2), status: rate < bars.errorRatePercent ? 'pass' : 'fail', source: `http_req_failed: ${failed} of ${n} requests of ${list(used.map((o) => o.name))}${left}` };
}

function scenariosMetric(s: ScenarioOutcome[], skipped: string[]): SuccessMetric {
  const base = { id: 'scenarios', name: 'Load scenarios pass', target: 'all' };
  const total = s.length + skipped.length;
  if (!total) return { ...base, value: null, shown: '—', status: 'not measured', source: 'no scenario ran' };
  const passed = s.filter((o) => o.passed).length;
  const failed = s.filter((o) => !o.passed).map((o) => o.name);
  const source = `each scenario's thresholds (thresholds.json)${failed.length ? `; failed: ${failed.join(', ')}` : ''}${skipped.length ? `; not run: ${skipped.join(', ')}` : ''}`;
  return { ...base, value: passed, shown: `${passed} of ${total} passed`, status: passed === total ? 'pass' : 'fail', source };
}

function recoveryMetric(s: ScenarioOutcome[]): SuccessMetric {
  const base = { id: 'recovery-time', name: 'Recovery time', target: `< ${bars.recoverySeconds / 60} min` };
  const stress = s.find((o) => o.name === 'stress');
  if (!stress) return { ...base, value: null, shown: '—', status: 'not measured', source: 'the stress scenario did not run' };
  if (stress.recoverySeconds === undefined) return { ...base, value: null, shown: '—', status: 'not measured', source: `stress: no recovery_time in its summary (${stress.reason})` };
  const v = stress.recoverySeconds;
  return { ...base, value: v, shown: v < 120 ? `${v.toFixed(1)} s` : `${(v / 60).toFixed(1)} min`, status: v < bars.recoverySeconds ? 'pass' : 'fail', source: 'stress: recovery_time (end of the peak until the probes answer well again)' };
}

export function judgeReadiness(input: JudgeInput): Pick<ReadinessReport, 'metrics' | 'verdict' | 'reasons'> {
  const metrics = [healthMetric(input.preflight), uptimeMetric(input.monitor), avgResponseMetric(input.scenarios), errorRateMetric(input.scenarios), scenariosMetric(input.scenarios, input.skipped), recoveryMetric(input.scenarios)];
  const reasons: string[] = [];
  for (const m of metrics) {
    if (m.status === 'fail') reasons.push(`${m.name} ${m.shown}, needs ${m.target} (${m.source})`);
    else if (m.status === 'not measured') reasons.push(`${m.name} not measured: ${m.source}`);
  }
  for (const o of input.scenarios) if (!o.passed) reasons.push(`scenario ${o.name}: ${o.reason}`);
  for (const i of input.preflight.items) if (i.status === 'fail' && i.id !== 'health') reasons.push(`preflight ${i.name}: ${i.reason}`);
  return { metrics, verdict: reasons.length ? 'not ready' : 'ready', reasons };
}
