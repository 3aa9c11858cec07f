/**
 * `aetos-load readiness --profile quick` with each fault the target can inject, set once the
 * scenarios start: the right success metric fails and the verdict names it. Each run is narrowed
 * with --only to the scenarios its metric needs. These runs are also the scenarios' own fault e2e
 * tests (stress with a database outage during its peak, memory-leak with a leak). They share one
 * target of their own (the healthy whole profile, readiness.test.ts, runs on its embedded one),
 * and so does db-stress's slow-query run, a plain `load` (it had its own file and target: one
 * target start less).
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parsePrometheus, sumWhere } from '../../ops/shared/prometheus.ts';
import { clearFaults, setFaults, type Faults } from '../../wms/faults-client.ts';
import { spawnTarget, type SpawnedTarget } from '../../wms/spawn.ts';
import { explain, metric, readiness as run, readinessFolder, summaryOf } from './readiness-run.ts';
import { loadQuick, thresholdReport } from './run-load.ts';

// This file runs in the unit project, beside other files (vitest.config.ts): each run is a whole
// quick scenario (~30 s alone; readiness-run.ts and run-load.ts kill a run at 140 s), and its
// target can take over 30 s to start on a loaded 2-core machine.
vi.setConfig({ testTimeout: 150_000, hookTimeout: 150_000 });

const folder = readinessFolder();
let target: SpawnedTarget;
// On the machine's Postgres when the tests have one (CI does), in a schema of this run's own, so the
// healthy run's embedded target (pglite, one thread) does not also answer these runs' queries.
const postgres = process.env.DATABASE_TEST_URL;
const schema = `aetos_readiness_${process.pid}`;

beforeAll(async () => {
  target = await spawnTarget({ timeoutMs: 110_000, env: postgres ? { DATABASE_URL: postgres, DATABASE_SCHEMA: schema } : {} });
});
afterAll(async () => {
  await target?.stop();
  folder.remove();
  if (postgres) {
    const c = new pg.Client({ connectionString: postgres });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
});
// every test sets its fault on the shared target; the next one starts from a healthy target, pass or fail
afterEach(async () => {
  await clearFaults(target.url, target.adminToken);
});

const readiness = (name: string, args: string[], onScenario?: () => Promise<void>) => run(folder.dir, name, args, onScenario);
const inject = (f: Faults) => () => setFaults(target.url, target.adminToken, f).then(() => undefined);

/** Total requests the target has answered (its /metrics), to wait for a run to be under way. */
async function answered(): Promise<number> {
  const text = await fetch(`${target.url}/metrics`).then((r) => r.text());
  return sumWhere(parsePrometheus(text), 'http_requests_total') ?? 0;
}

describe('readiness --profile quick with a fault', () => {
  it('injected errors: the error rate fails and the verdict names it', async () => {
    const r = await readiness('errors', ['--url', target.url, '--only', 'smoke'], inject({ errorRate: 0.5 }));
    expect(r.code, explain(r)).toBe(1);
    expect(metric(r, 'error-rate').status, explain(r)).toBe('fail');
    expect(r.report.reasons.some((why) => why.startsWith('Error rate '))).toBe(true);
  });

  it('injected latency: the average response fails and the verdict names it', async () => {
    const r = await readiness('latency', ['--url', target.url, '--only', 'smoke'], inject({ latencyMs: 1500 }));
    expect(r.code, explain(r)).toBe(1);
    expect(metric(r, 'avg-response').status, explain(r)).toBe('fail');
    expect(metric(r, 'avg-response').value).toBeGreaterThan(500);
    expect(metric(r, 'error-rate').status).toBe('pass');
    expect(r.report.reasons.some((why) => why.startsWith('Average response '))).toBe(true);
  });

  it('a database outage during stress: uptime fails and the verdict names it', async () => {
    const outage = async () => {
      const before = await answered();
      const until = Date.now() + 60_000;
      while ((await answered()) < before + 100 && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
      await new Promise((r) => setTimeout(r, 5000)); // into the 500-user peak
      await setFaults(target.url, target.adminToken, { dbOutageSeconds: 9 });
    };
    const r = await readiness('outage', ['--url', target.url, '--only', 'stress'], outage);
    expect(r.code, explain(r)).toBe(1);
    expect(metric(r, 'uptime').status, explain(r)).toBe('fail');
    expect(metric(r, 'uptime').value).toBeLessThan(99.9);
    expect(r.report.reasons.some((why) => why.startsWith('Uptime '))).toBe(true);
    // the stress scenario's own view of it: its probes saw the outage, and recovery_time is the wait
    // from the end of the peak (second 11) until 5 s of good probes
    const stress = summaryOf(r, 'stress').metrics;
    expect(Number(stress.checks?.fails)).toBeGreaterThan(0);
    expect(Number(stress.recovery_time?.value)).toBeGreaterThan(0);
    expect(Number(stress.recovery_time?.value)).toBeLessThan(20);
  });

  it('a memory leak: the memory-leak scenario fails, and the verdict names it and its slope', async () => {
    const r = await readiness('leak', ['--url', target.url, '--only', 'memory-leak'], inject({ leakMbPerMin: 200 }));
    expect(r.code, explain(r)).toBe(1);
    expect(metric(r, 'scenarios').status, explain(r)).toBe('fail');
    expect(metric(r, 'scenarios').source).toContain('failed: memory-leak');
    expect(r.report.reasons.some((why) => why.startsWith('scenario memory-leak: thresholds crossed: ') && why.includes('target_memory_growth_mb_per_hour'))).toBe(true);
    // 200 MB/min is ≈ 12,000 MB/h: the sampler's Theil–Sen slope is far over the quick profile's 2000
    expect(Number(summaryOf(r, 'memory-leak').metrics.target_memory_growth_mb_per_hour?.value)).toBeGreaterThan(2000);
  });
});

describe('db-stress (quick profile) with slow queries', () => {
  it('80 ms queries: exit 99 naming db_query_duration', async () => {
    await setFaults(target.url, target.adminToken, { slowQueryMs: 80 });
    const r = await loadQuick('db-stress', { BASE_URL: target.url });
    expect(r.code, thresholdReport(r)).toBe(99);
    expect(r.stderr).toMatch(/thresholds on metrics '[^']*db_query_duration[^']*' have been crossed/);
    expect(r.summary.metrics.db_query_duration?.thresholds?.['p(95)<50']).toBe(true);
  });
});
