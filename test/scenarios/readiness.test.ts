/**
 * `aetos-load readiness --profile quick` end to end, as users run it (a child process, bounded by a
 * kill timer, results in a temporary folder). On the healthy embedded target it is ready; with each
 * fault the target can inject, set once the scenarios start, the right success metric fails and the
 * verdict names it. The healthy run is the whole quick profile (every scenario, ~2.5 min); the
 * fault runs are narrowed with --only to the scenarios each metric needs.
 * These runs are also the scenarios' own e2e tests: the healthy run of each one, stress with a
 * database outage during its peak, memory-leak with a leak. Their summary exports are checked here
 * rather than paying for the same quick runs twice (each test/scenarios file used to start its own
 * target and run its scenario alone).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadinessReport } from '../../ops/readiness/types.ts';
import { clearFaults, setFaults, type Faults } from '../../wms/faults-client.ts';
import { spawnTarget, type SpawnedTarget } from '../../wms/spawn.ts';
import { root, type LoadResult } from './run-load.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aetos-readiness-'));
// the host's own CPU, memory and disk must not decide these tests (this machine is shared and busy)
const config = path.join(dir, 'aetos.config.json');
writeFileSync(config, JSON.stringify({ resources: { cpuPercent: 100, memoryPercent: 100, diskPercent: 100 } }));
let target: SpawnedTarget;
// On the machine's Postgres when the tests have one (CI does), in a schema of this run's own: the
// embedded pglite answers every query on the target's one thread, and beside a CPU hog db-stress's
// 20 VUs pushed its db_query_duration p(95) over the guide's 50 ms on a healthy target.
const postgres = process.env.DATABASE_TEST_URL;
const schema = `aetos_readiness_${process.pid}`;

beforeAll(async () => {
  target = await spawnTarget({ timeoutMs: 110_000, env: postgres ? { DATABASE_URL: postgres, DATABASE_SCHEMA: schema } : {} });
});
afterAll(async () => {
  await target?.stop();
  rmSync(dir, { recursive: true, force: true });
  if (postgres) {
    const c = new pg.Client({ connectionString: postgres });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
});

interface Run {
  code: number | null;
  report: ReadinessReport;
  stderr: string;
  results: string;
}

/** Runs readiness; `onScenario` is called once when the first scenario starts (the preflight is over). */
function readiness(name: string, args: string[], onScenario?: () => Promise<void>, limitMs = 140_000): Promise<Run> {
  const results = path.join(dir, name);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/aetos-load.js', 'readiness', '--profile', 'quick', '--config', config, '--results', results, '--json', ...args], {
      cwd: root,
      env: { ...process.env, BASE_URL: '', NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    let hooked: Promise<void> | undefined;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (onScenario && !hooked && stderr.includes('readiness: scenario ')) hooked = onScenario().catch((e) => reject(e));
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('close', async (code) => {
      clearTimeout(timer);
      await hooked;
      try {
        resolve({ code, report: JSON.parse(stdout) as ReadinessReport, stderr, results });
      } catch {
        reject(new Error(`readiness printed no report (exit ${code}):\n${stderr.slice(-3000)}`));
      }
    });
  });
}

/** A scenario's summary export in the readiness run folder (each scenario runs as `load` does). */
const summaryOf = (r: Run, scenario: string) =>
  JSON.parse(readFileSync(path.join(r.results, scenario, 'summary.json'), 'utf8')) as LoadResult['summary'];
const metric = (r: Run, id: string) => r.report.metrics.find((m) => m.id === id)!;
const failing = (r: Run) => r.report.metrics.filter((m) => m.status === 'fail').map((m) => m.id);
const explain = (r: Run) => `exit ${r.code}\n${r.report.reasons.join('\n')}\n${r.stderr.slice(-2000)}`;
const inject = (f: Faults) => () => setFaults(target.url, target.adminToken, f).then(() => undefined);

/** Total requests the target has answered (its /metrics), to wait for a run to be under way. */
async function answered(): Promise<number> {
  const text = await fetch(`${target.url}/metrics`).then((r) => r.text());
  let total = 0;
  for (const m of text.matchAll(/^http_requests_total\{[^}]*\} (\d+(?:\.\d+)?)/gm)) total += Number(m[1]);
  return total;
}

describe('readiness --profile quick', () => {
  it('on the healthy embedded target, the whole quick profile: ready, every metric measured and passing, every scenario passing, the report written three ways', async () => {
    // Every scenario of the profile, one after another against one embedded target: this run is
    // also the healthy e2e test of each scenario (light, medium, heavy, stress, memory-leak,
    // concurrent-login, db-stress, upload), so each summary export is checked below.
    const r = await readiness('healthy', [], undefined, 390_000);
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

  it('injected errors: the error rate fails and the verdict names it', async () => {
    try {
      const r = await readiness('errors', ['--url', target.url, '--only', 'smoke'], inject({ errorRate: 0.5 }));
      expect(r.code, explain(r)).toBe(1);
      expect(metric(r, 'error-rate').status, explain(r)).toBe('fail');
      expect(r.report.reasons.some((why) => why.startsWith('Error rate '))).toBe(true);
    } finally {
      await clearFaults(target.url, target.adminToken);
    }
  });

  it('injected latency: the average response fails and the verdict names it', async () => {
    try {
      const r = await readiness('latency', ['--url', target.url, '--only', 'smoke'], inject({ latencyMs: 1500 }));
      expect(r.code, explain(r)).toBe(1);
      expect(metric(r, 'avg-response').status, explain(r)).toBe('fail');
      expect(metric(r, 'avg-response').value).toBeGreaterThan(500);
      expect(metric(r, 'error-rate').status).toBe('pass');
      expect(r.report.reasons.some((why) => why.startsWith('Average response '))).toBe(true);
    } finally {
      await clearFaults(target.url, target.adminToken);
    }
  });

  it('a database outage during stress: uptime fails and the verdict names it', async () => {
    const outage = async () => {
      const before = await answered();
      const until = Date.now() + 60_000;
      while ((await answered()) < before + 100 && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
      await new Promise((r) => setTimeout(r, 5000)); // into the 500-user peak
      await setFaults(target.url, target.adminToken, { dbOutageSeconds: 9 });
    };
    try {
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
    } finally {
      await clearFaults(target.url, target.adminToken);
    }
  });

  it('a memory leak: the memory-leak scenario fails, and the verdict names it and its slope', async () => {
    try {
      const r = await readiness('leak', ['--url', target.url, '--only', 'memory-leak'], inject({ leakMbPerMin: 200 }));
      expect(r.code, explain(r)).toBe(1);
      expect(metric(r, 'scenarios').status, explain(r)).toBe('fail');
      expect(metric(r, 'scenarios').source).toContain('failed: memory-leak');
      expect(r.report.reasons.some((why) => why.startsWith('scenario memory-leak: thresholds crossed: ') && why.includes('target_memory_growth_mb_per_hour'))).toBe(true);
      // 200 MB/min is ≈ 12,000 MB/h: the sampler's Theil–Sen slope is far over the quick profile's 2000
      expect(Number(summaryOf(r, 'memory-leak').metrics.target_memory_growth_mb_per_hour?.value)).toBeGreaterThan(2000);
    } finally {
      await clearFaults(target.url, target.adminToken);
    }
  });
});
