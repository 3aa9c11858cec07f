/**
 * `aetos-load readiness --profile quick` on the healthy embedded target: the whole quick profile, as
 * users run it. Ready, every metric measured and passing. This run is also the healthy e2e test of
 * each scenario (each file under test/scenarios/ used to start its own target and run its scenario
 * alone), so their summary exports are checked here rather than paying for the same quick runs
 * twice. The faults each metric must catch are in readiness-faults.test.ts, on a target of its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explain, metric, readiness, readinessFolder, summaryOf } from './readiness-run.ts';

const folder = readinessFolder();
afterAll(() => folder.remove());

describe('readiness --profile quick', () => {
  it('on the healthy embedded target, the whole quick profile: ready, every metric measured and passing, every scenario passing, the report written three ways', async () => {
    // Every scenario of the profile, one after another against one embedded target: this run is
    // also the healthy e2e test of each scenario (light, medium, heavy, stress, memory-leak,
    // concurrent-login, db-stress, upload), so each summary export is checked below.
    const r = await readiness(folder.dir, 'healthy', [], undefined, 390_000);
    expect(r.code, explain(r)).toBe(0);
    expect(r.report.verdict).toBe('ready');
    expect(r.report.embedded).toBe(true);
    expect(r.report.metrics.map((m) => [m.id, m.status])).toEqual([
      ['health-score', 'pass'],
      ['uptime', 'pass'],
      ['avg-response', 'pass'],
      ['error-rate', 'pass'],
      ['scenarios', 'pass'],
      ['recovery-time', 'pass'],
    ]);
    expect(r.report.monitor.polls).toBeGreaterThan(10);
    expect(metric(r, 'recovery-time').value).toBeLessThan(300);
    for (const f of ['readiness.json', 'readiness.html', 'readiness.txt', 'monitor.json', 'stress/report.html']) expect(existsSync(path.join(r.results, f)), f).toBe(true);
    expect(readFileSync(path.join(r.results, 'readiness.txt'), 'utf8')).toContain('READY');
    for (const name of ['light', 'medium', 'heavy', 'upload', 'concurrent-login']) {
      const m = summaryOf(r, name).metrics;
      expect(Number(m.http_reqs?.count), name).toBeGreaterThan(0);
      expect(Object.values(m.http_req_failed?.thresholds ?? {}), name).not.toContain(true);
    }
    expect(Number(summaryOf(r, 'stress').metrics.recovery_time?.value)).toBeLessThan(300);
    expect(summaryOf(r, 'db-stress').metrics.db_query_duration?.['p(95)']).toBeTypeOf('number');
    expect(summaryOf(r, 'memory-leak').metrics.target_memory_growth_mb_per_hour?.value).toBeTypeOf('number');
  }, 400_000);
});
