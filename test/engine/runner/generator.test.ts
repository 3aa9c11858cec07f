// The run knows when the load generator is the bottleneck (issue 21): a worker saturated on purpose
// (each iteration spins 40 ms) crosses a threshold on generator_saturated and the summary, run.json
// and the report data say so in one line; a light run (VUs that sleep) on this loaded machine does
// not, because the rule looks at the thread's own busy time, not at how late the host ran it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { machineWorkerCount } from '../../../engine/config/threads.ts';
import { generatorVerdict, windowSaturated } from '../../../engine/metrics/generator.ts';
import { writeRunRecord } from '../../../engine/outputs/run-folder.ts';
import { extractPageData } from '../../../report/html.ts';
import { fixture, runCli } from '../cli/run-cli.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function runIn(script: string, workers: string[] = ['--workers', '1']) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aetos-generator-'));
  dirs.push(dir);
  const startedAt = new Date(Date.now() - 1000).toISOString();
  const r = await runCli([...workers, '--summary-export', path.join(dir, 'summary.json'), '--out', `html=${path.join(dir, 'report.html')}`, fixture(script)]);
  const record = writeRunRecord(dir, {
    scenario: script,
    profile: 'test',
    baseUrl: null,
    embeddedTarget: false,
    startedAt,
    endedAt: new Date().toISOString(),
    exitCode: r.code ?? -1,
    exitReason: '',
    engineVersion: '0',
    gitCommit: null,
    args: [],
  });
  const summary = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as { metrics: Record<string, Record<string, number>> };
  const report = extractPageData(readFileSync(path.join(dir, 'report.html'), 'utf8')) as { generator?: string };
  return { ...r, record, metrics: summary.metrics, report };
}

describe('generator saturation', () => {
  it('a worker busy on purpose warns in the summary, run.json and the report, and fails its threshold', async () => {
    const r = await runIn('generator-busy.js');
    expect(r.code, r.stderr).toBe(99);
    const line = r.stdout.split('\n').find((l) => l.includes('the load generator was saturated for'));
    expect(line, r.stdout).toMatch(/saturated for \d+ % of the run: latencies include up to \d+ ms of its own delay; use more workers or machines/);
    expect(r.record.generatorSaturated).toBe(line?.replace(/^\s*WARN /, ''));
    expect(r.report.generator).toBe(r.record.generatorSaturated);
    expect(r.metrics.generator_saturated?.passes).toBeGreaterThanOrEqual(2);
    // the spin is 40 ms: timers come at least ~30 ms late in the windows that held one
    expect(r.metrics.generator_event_loop_delay?.max).toBeGreaterThanOrEqual(30);
    expect(r.metrics.generator_cpu?.max).toBeGreaterThan(0);
    // --workers was given: no advice about it
    expect(r.stderr).not.toContain('--workers');
  });

  it('saturated on fewer threads than cores, unasked: the run names the flag that adds threads', async () => {
    const r = await runIn('generator-busy.js', []);
    expect(r.code, r.stderr).toBe(99);
    const cores = machineWorkerCount();
    if (cores === 1) expect(r.stderr).not.toContain('--workers');
    else expect(r.stderr).toContain(`the run used 1 worker thread of this machine's ${cores} cores (one per 1000 VUs or 10000 iterations/s unless --workers is given): --workers ${cores} spreads the VUs over all of them`);
  });

  it('a light run does not warn, whatever the host load', async () => {
    const r = await runIn('generator-light.js');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('the load generator was saturated');
    expect(r.record.generatorSaturated).toBeUndefined();
    expect(r.report.generator).toBeUndefined();
    // measured all the same: a window every 500 ms over 3 s
    expect((r.metrics.generator_saturated?.fails ?? 0) + (r.metrics.generator_saturated?.passes ?? 0)).toBeGreaterThanOrEqual(4);
    expect(r.metrics.generator_cpu?.avg).toBeLessThan(0.9);
  });

  it('the rule: busy time, or half-busy with late timers; a meaningful share of the run', () => {
    expect(windowSaturated({ utilization: 0.95, delayMs: 1 })).toBe(true);
    expect(windowSaturated({ utilization: 0.6, delayMs: 25 })).toBe(true);
    // late timers on an idle thread are the host's doing, not the generator's
    expect(windowSaturated({ utilization: 0.1, delayMs: 200 })).toBe(false);
    const values = (passes: number, fails: number, extra: Record<string, number> = { max: 180.4 }) => (m: string) =>
      m === 'generator_saturated' ? { passes, fails } : m === 'generator_event_loop_delay' ? extra : undefined;
    expect(generatorVerdict(values(41, 59))?.message).toBe(
      'the load generator was saturated for 41 % of the run: latencies include up to 180 ms of its own delay; use more workers or machines',
    );
    expect(generatorVerdict(values(9, 91))).toBeUndefined(); // under 10 %
    expect(generatorVerdict(values(1, 2))).toBeUndefined(); // one window (0.5 s) is not meaningful
    expect(generatorVerdict(() => undefined)).toBeUndefined(); // no generator metrics (old run, --runner k6)
    expect(generatorVerdict(values(5, 5, { 'p(95)': 42 }))?.message).toContain('up to 42 ms');
  });
});
