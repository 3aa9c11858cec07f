// The success metrics judged from given measurements: all good is ready; each metric past its bar
// makes the verdict not ready naming it; what was not measured is never passed; the HTML page
// escapes what came from the run.
import { describe, expect, it } from 'vitest';
import { judgeReadiness, type JudgeInput } from '../../../ops/readiness/judge.ts';
import { renderReadiness } from '../../../ops/readiness/render.ts';
import type { ReadinessReport, ScenarioOutcome } from '../../../ops/readiness/types.ts';
import { renderReadinessHtml } from '../../../report/readiness.ts';

const outcome = (name: string, o: Partial<ScenarioOutcome> = {}): ScenarioOutcome => ({ name, exitCode: 0, passed: true, reason: 'passed', durationMs: 20_000, resultsDir: `/r/${name}`, requests: 1000, failedRequests: 0, avgResponseMs: 40, ...o });

function healthy(): JudgeInput {
  return {
    preflight: { target: 't', embedded: true, startedAt: '', durationMs: 1, verdict: 'pass', items: [{ id: 'health', name: 'Health', status: 'pass', reason: 'score 96.4 %', measured: { score: 96.4 } }, { id: 'tls', name: 'TLS certificate', status: 'not configured', reason: 'http' }] },
    monitor: { polls: 2000, upPolls: 2000, uptimePercent: 100, intervalMs: 1000, durationMs: 2_000_000, alertsFired: [] },
    scenarios: [outcome('light'), outcome('stress', { avgResponseMs: 4000, failedRequests: 300, recoverySeconds: 12 }), outcome('upload', { avgResponseMs: 900, requests: 10 })],
    skipped: [],
  };
}

const metric = (r: ReturnType<typeof judgeReadiness>, id: string) => r.metrics.find((m) => m.id === id)!;

describe('readiness verdict', () => {
  it('is ready when every metric holds; stress and uploads do not count toward the everyday response time and error rate', () => {
    const r = judgeReadiness(healthy());
    expect(r.reasons).toEqual([]);
    expect(r.verdict).toBe('ready');
    expect(metric(r, 'avg-response')).toMatchObject({ value: 40, status: 'pass' });
    expect(metric(r, 'error-rate')).toMatchObject({ value: 0, status: 'pass' });
    expect(metric(r, 'recovery-time')).toMatchObject({ value: 12, shown: '12.0 s' });
    expect(metric(r, 'uptime').source).toContain('2000 of 2000 polls');
  });

  it.each([
    ['health score', (i: JudgeInput) => void (i.preflight.items[0]!.measured = { score: 88 }), 'health-score', /^Health score 88\.0 %, needs > 90 %/],
    ['uptime', (i: JudgeInput) => void Object.assign(i.monitor, { upPolls: 1990, uptimePercent: 99.5 }), 'uptime', /^Uptime 99\.50 %, needs > 99\.9 %/],
    ['average response', (i: JudgeInput) => void (i.scenarios[0]!.avgResponseMs = 800), 'avg-response', /^Average response 800 ms, needs < 500 ms/],
    ['error rate', (i: JudgeInput) => void (i.scenarios[0]!.failedRequests = 50), 'error-rate', /^Error rate 4\.95 %, needs < 1 %/],
    ['recovery time', (i: JudgeInput) => void (i.scenarios[1]!.recoverySeconds = 420), 'recovery-time', /^Recovery time 7\.0 min, needs < 5 min/],
    ['a scenario', (i: JudgeInput) => void Object.assign(i.scenarios[2]!, { passed: false, exitCode: 99, reason: 'thresholds crossed: http_req_duration{name:upload} p(95)<5000' }), 'scenarios', /^Load scenarios pass 2 of 3 passed, needs all .*failed: upload/],
  ])('%s past its bar: not ready, naming it', (_what, spoil, id, reason) => {
    const input = healthy();
    spoil(input);
    const r = judgeReadiness(input);
    expect(r.verdict).toBe('not ready');
    expect(metric(r, id).status).toBe('fail');
    expect(r.metrics.filter((m) => m.status !== 'pass').map((m) => m.id)).toEqual([id]);
    expect(r.reasons[0]).toMatch(reason);
  });

  it('never passes what was not measured: no stress run, no monitor poll', () => {
    const input = healthy();
    input.scenarios = [outcome('light')];
    input.monitor = { ...input.monitor, polls: 0, upPolls: 0, uptimePercent: 0 };
    const r = judgeReadiness(input);
    expect(r.verdict).toBe('not ready');
    expect(metric(r, 'recovery-time')).toMatchObject({ status: 'not measured', value: null });
    expect(metric(r, 'uptime').status).toBe('not measured');
    expect(r.reasons).toContain('Recovery time not measured: the stress scenario did not run');
  });

  it('a failed preflight item is a reason too; skipped scenarios fail the scenario metric', () => {
    const input = healthy();
    input.preflight.items.push({ id: 'backups', name: 'Backups', status: 'fail', reason: 'newest backup is 50.0 h old' });
    input.skipped = ['db-stress'];
    const r = judgeReadiness(input);
    expect(r.reasons).toContain('preflight Backups: newest backup is 50.0 h old');
    expect(metric(r, 'scenarios')).toMatchObject({ shown: '3 of 4 passed', status: 'fail' });
  });
});

describe('readiness report rendering', () => {
  const report = (): ReadinessReport => {
    const input = healthy();
    input.scenarios[0]!.reason = '<script>alert(1)</script>';
    input.scenarios[0]!.passed = false;
    return { target: 'http://127.0.0.1:1/"><img src=x onerror=alert(1)>', embedded: false, profile: 'quick', startedAt: 'a', endedAt: 'b', durationMs: 60_000, resultsDir: '/r', ...judgeReadiness(input), scenarios: input.scenarios, skipped: [], preflight: input.preflight, monitor: input.monitor };
  };

  it('HTML: the verdict, every metric, scenario links relative to the page; strings from the run escaped, no script allowed', () => {
    const html = renderReadinessHtml(report());
    expect(html).toContain('<span class="verdict-word">NOT READY</span>');
    expect(html).toContain('<a href="light/report.html">report</a>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;');
    for (const name of ['Health score', 'Uptime', 'Average response', 'Error rate', 'Load scenarios pass', 'Recovery time']) expect(html).toContain(`<td>${name}</td>`);
  });

  it('text: the verdict first, then each metric with its source', () => {
    const text = renderReadiness(report(), false);
    expect(text.split('\n')[2]).toBe('  NOT READY');
    expect(text).toMatch(/✓ Uptime\s+100\.00 %\s+\(> 99\.9 %\)\s+monitor: 2000 of 2000 polls/);
    expect(text).toMatch(/✗ Load scenarios pass\s+2 of 3 passed/);
  });
});
