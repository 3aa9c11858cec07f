/**
 * `aetos-load load <name>` end to end, as `npm run load:<name>` runs it: bundle, embedded target
 * (or BASE_URL), engine run, results/<name>/ written, the engine's exit code returned.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnTarget, type SpawnedTarget } from '../../wms/spawn.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function load(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/aetos-load.js', 'load', ...args], {
      cwd: root,
      env: { ...process.env, BASE_URL: '', NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const targets: SpawnedTarget[] = [];
afterAll(async () => {
  await Promise.all(targets.map((t) => t.stop()));
});

describe('aetos-load load', () => {
  it('an unknown scenario: one line listing the scenarios, exit 2', async () => {
    const r = await load(['nope']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no scenario "nope"; the scenarios are: .*heavy.*smoke/);
  });

  it('smoke against the embedded target: exit 0, summary.json and junit.xml written', async () => {
    await rm(path.join(root, 'results/smoke'), { recursive: true, force: true });
    const r = await load(['smoke', '--profile', 'quick']);
    expect(r.stderr).toMatch(/target: embedded AetosWMS at http:\/\/127\.0\.0\.1:\d+/);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(await readFile(path.join(root, 'results/smoke/summary.json'), 'utf8'));
    expect(summary.metrics.http_reqs.count).toBe(11); // one login, then 5 × (health + SKU)
    expect(summary.metrics.checks.passes).toBe(10);
    const junit = await readFile(path.join(root, 'results/smoke/junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites[^>]*failures="0"/);
    expect(r.stderr).toMatch(/results: results\/smoke\/ \(summary\.json, junit\.xml, report\.html\); exit code 0/);
    expect(await readFile(path.join(root, 'results/smoke/report.html'), 'utf8')).toMatch(/"scenario":"smoke","profile":"quick"/);
  });

  it('an unreachable BASE_URL: exit 99, says why at which script line, and still writes the results', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'aetos-load-unreachable-'));
    try {
      const r = await load(['smoke', '--profile', 'quick', '--results', dir], { BASE_URL: 'http://127.0.0.1:1' });
      expect(r.code, r.stderr.slice(-2000)).toBe(99);
      expect(r.stderr).toMatch(/level=warning msg="Request Failed" error="GET \\"http:\/\/127\.0\.0\.1:1\/api\/health\\": dial tcp 127\.0\.0\.1:1: connect: connection refused"/);
      expect(r.stderr).toMatch(/login as user0001 failed: dial tcp 127\.0\.0\.1:1: connect: connection refused.*at=lib\/auth\.ts:\d+/);
      expect(r.stderr).toMatch(/thresholds on metrics '[^']*http_req_failed[^']*' have been crossed/);
      const summary = JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8'));
      expect(summary.metrics.http_req_failed.value).toBe(1);
      expect(await readFile(path.join(dir, 'junit.xml'), 'utf8')).toMatch(/<testsuites[^>]*failures="[1-9]/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('heavy (quick) against a target injecting 10 % errors: exit 99 naming http_req_failed', async () => {
    const target = await spawnTarget({ env: { FAULT_ERROR_RATE: '0.1' } });
    targets.push(target);
    const r = await load(['heavy', '--profile', 'quick'], { BASE_URL: target.url });
    expect(r.code, r.stderr.slice(-2000)).toBe(99);
    expect(r.stderr).toMatch(/thresholds on metrics '[^']*http_req_failed[^']*' have been crossed/);
    const summary = JSON.parse(await readFile(path.join(root, 'results/heavy/summary.json'), 'utf8'));
    const failed = summary.metrics.http_req_failed;
    expect(failed.value).toBeGreaterThan(0.05);
    expect(failed.value).toBeLessThan(0.2);
    expect(failed.thresholds['rate<0.05']).toBe(true);
  });
});
