/**
 * Runs `aetos-load load <name> --profile quick` as `npm run load:<name>` does (a child process,
 * bounded by a kill timer) and reads back results/<name>/summary.json. Shared by the scenario e2e tests.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface LoadResult {
  code: number | null;
  stderr: string;
  summary: { metrics: Record<string, Record<string, unknown> & { thresholds?: Record<string, boolean> }> };
}

export function loadQuick(name: string, env: Record<string, string> = {}, limitMs = 90_000): Promise<LoadResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/aetos-load.js', 'load', name, '--profile', 'quick', '--', '--no-color'], {
      cwd: root,
      env: { ...process.env, BASE_URL: '', NO_COLOR: '1', ...env },
    });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('close', async (code) => {
      clearTimeout(timer);
      const summary = await readFile(path.join(root, 'results', name, 'summary.json'), 'utf8')
        .then((t) => JSON.parse(t))
        .catch(() => ({ metrics: {} }));
      resolve({ code, stderr, summary });
    });
  });
}

/** Every threshold in the summary export, as "metric: expr -> crossed?". */
export function thresholdReport(r: LoadResult): string {
  const lines: string[] = [];
  for (const [m, v] of Object.entries(r.summary.metrics)) for (const [t, crossed] of Object.entries(v.thresholds ?? {})) lines.push(`${m}: ${t} -> ${crossed ? 'crossed' : 'ok'}`);
  return `exit ${r.code}\n${lines.join('\n')}\n${r.stderr.slice(-1500)}`;
}
