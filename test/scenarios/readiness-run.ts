/**
 * Runs `aetos-load readiness --profile quick` as users run it (a child process, bounded by a kill
 * timer, results in a temporary folder) and reads its JSON report. Shared by readiness.test.ts (the
 * healthy whole profile) and readiness-faults.test.ts (one fault per run); each file has its own
 * temporary folder and its own target.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ReadinessReport } from '../../ops/readiness/types.ts';
import { root, type LoadResult } from './run-load.ts';

export interface ReadinessRun {
  code: number | null;
  report: ReadinessReport;
  stderr: string;
  results: string;
}

/** A temporary folder for one test file's runs, with a config that keeps the host's own load out of the verdict. */
export function readinessFolder(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aetos-readiness-'));
  // the host's own CPU, memory and disk must not decide these tests (this machine is shared and busy)
  writeFileSync(path.join(dir, 'aetos.config.json'), JSON.stringify({ resources: { cpuPercent: 100, memoryPercent: 100, diskPercent: 100 } }));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs readiness into `<dir>/<name>`; `onScenario` is called once when the first scenario starts (the preflight is over). */
export function readiness(dir: string, name: string, args: string[], onScenario?: () => Promise<void>, limitMs = 140_000): Promise<ReadinessRun> {
  const results = path.join(dir, name);
  const config = path.join(dir, 'aetos.config.json');
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
export const summaryOf = (r: ReadinessRun, scenario: string) =>
  JSON.parse(readFileSync(path.join(r.results, scenario, 'summary.json'), 'utf8')) as LoadResult['summary'];
export const metric = (r: ReadinessRun, id: string) => r.report.metrics.find((m) => m.id === id)!;
export const explain = (r: ReadinessRun) => `exit ${r.code}\n${r.report.reasons.join('\n')}\n${r.stderr.slice(-2000)}`;
