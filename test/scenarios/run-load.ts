/**
 * Runs `aetos-load load <name> --profile quick` as `npm run load:<name>` does (a child process,
 * bounded by a kill timer) and reads back summary.json from a temporary --results folder (never the user's results/). Shared by the scenario e2e tests.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface LoadResult {
  code: number | null;
  stderr: string;
  summary: { metrics: Record<string, Record<string, unknown> & { thresholds?: Record<string, boolean> }> };
}

/** Each run writes to its own temporary results folder, so parallel test files never share one. */
export async function loadQuick(name: string, env: Record<string, string> = {}, limitMs = 140_000): Promise<LoadResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `aetos-${name}-`));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/aetos-load.js', 'load', name, '--profile', 'quick', '--results', dir, '--', '--no-color'], {
      cwd: root,
      env: { ...process.env, BASE_URL: '', NO_COLOR: '1', ...env },
    });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('close', async (code) => {
      clearTimeout(timer);
      const summary = await readFile(path.join(dir, 'summary.json'), 'utf8')
        .then((t) => JSON.parse(t))
        .catch(() => ({ metrics: {} }));
      await rm(dir, { recursive: true, force: true });
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

/** Resolves once the target has answered `min` requests (so a fault lands while the run is under way). */
export async function waitForTraffic(url: string, min: number, limitMs = 60_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    const text = await fetch(`${url}/metrics`).then((r) => r.text()).catch(() => '');
    let total = 0;
    for (const m of text.matchAll(/^http_requests_total\{[^}]*\} (\d+(?:\.\d+)?)/gm)) total += Number(m[1]);
    if (total >= min) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the target saw fewer than ${min} requests within ${limitMs / 1000} s`);
}
