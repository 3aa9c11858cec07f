// `aetos-load load smoke --baseline latest-passing --fail-on …` end to end, as a CI job runs it:
// the newest passing run folder under results/smoke/ is the baseline (a newer failed one is
// skipped), the comparison is printed and added to the new run's report.html, and a run that
// passed its thresholds but regressed beyond the rule exits 111 — in run.json and in the report.
// The baseline is a stored run (test/report/fixtures/runs/healthy-b, ~30 requests/s); smoke at
// the quick profile makes 11 requests with think time, so `rps<-50%` trips whatever the machine.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReportData } from '../../report/data.ts';
import { extractPageData } from '../../report/html.ts';
import { spawnTarget, type SpawnedTarget } from '../../wms/spawn.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = path.join(root, 'test/report/fixtures/runs/healthy-b/report.html');
const cwd = mkdtempSync(path.join(os.tmpdir(), 'aetos-load-baseline-'));
let target: SpawnedTarget | undefined;
afterAll(async () => {
  await target?.stop();
  rmSync(cwd, { recursive: true, force: true });
});

function load(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/aetos-load.js'), 'load', ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 140_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('load --baseline latest-passing', () => {
  it('compares with the newest passing run, adds the verdict to the report, and a regression beyond --fail-on exits 111', async () => {
    symlinkSync(path.join(root, 'scenarios'), path.join(cwd, 'scenarios'));
    const runs = path.join(cwd, 'results', 'smoke');
    for (const [name, exitCode] of [['2026-01-01T00-00-00Z', 0], ['2026-01-02T00-00-00Z', 99]] as const) {
      mkdirSync(path.join(runs, name), { recursive: true });
      cpSync(fixture, path.join(runs, name, 'report.html'));
      writeFileSync(path.join(runs, name, 'run.json'), JSON.stringify({ scenario: 'smoke', exitCode }));
    }
    target = await spawnTarget({ timeoutMs: 110_000 });
    const r = await load(['smoke', '--profile', 'quick', '--baseline', 'latest-passing', '--fail-on', 'rps<-50%'], { BASE_URL: target.url });
    expect(r.code, r.stderr).toBe(111);
    expect(r.stderr).toContain(`baseline: ${path.join('results', 'smoke', '2026-01-01T00-00-00Z')}`);
    expect(r.stderr).toMatch(/\(all requests\).*FAILS rps<-50%/);

    const fresh = readdirSync(runs).filter((n) => !n.startsWith('2026-01-0') && n !== 'latest');
    expect(fresh).toHaveLength(1);
    const dir = path.join(runs, fresh[0] as string);
    const record = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'));
    expect(record).toMatchObject({ exitCode: 111, exitReason: expect.stringMatching(/regressed against the baseline .*2026-01-01T00-00-00Z beyond rps<-50%/) });
    const data = extractPageData(readFileSync(path.join(dir, 'report.html'), 'utf8')) as ReportData;
    // The thresholds held (the run itself passed); the baseline verdict and the final exit code are in the report.
    expect(data.passed).toBe(true);
    expect(data.baseline).toMatchObject({ failed: true, rules: ['rps<-50%'] });
    expect(data.baseline?.verdict).toMatch(/fails rps<-50%/);
    expect(data.meta).toMatchObject({ scenario: 'smoke', profile: 'quick', baseUrl: target.url, exitCode: 111 });
  }, 150_000);
});
