/**
 * `aetos-load run --monitor URL`: the guide's monitor polls the deployment beside the test and its
 * report (series, uptime, alerts) is written beside the summary export.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTarget, type SpawnedTarget } from '../../wms/spawn.ts';
import { fixture, runCli } from '../engine/cli/run-cli.ts';

let target: SpawnedTarget;
let dir: string;
beforeAll(async () => {
  // a loaded 2-core machine can take more than the default 30 s to start the target
  target = await spawnTarget({ args: ['--seed-users', '5', '--seed-skus', '20'], timeoutMs: 110_000 });
  dir = await mkdtemp(path.join(os.tmpdir(), 'aetos-run-monitor-'));
}, 120_000);
afterAll(async () => {
  await target?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('run --monitor', () => {
  it('writes the monitor report beside the summary export', async () => {
    const summary = path.join(dir, 'out', 'summary.json');
    const r = await runCli(['-q', '--workers', '1', '--monitor', target.url, '--summary-export', summary, fixture('constant-sleep.js')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/monitor: \d+ polls, uptime 100\.0 %/);
    const report = JSON.parse(await readFile(path.join(dir, 'out', 'monitor.json'), 'utf8'));
    expect(report.polls).toBeGreaterThanOrEqual(1);
    expect(report.uptimePercent).toBe(100);
    expect(Array.isArray(report.samples)).toBe(true);
    expect(JSON.parse(await readFile(summary, 'utf8')).metrics.iterations.count).toBeGreaterThan(0);
  });

  it('a --monitor value that is not a URL: exit 104 naming the flag', async () => {
    const r = await runCli(['--monitor', 'localhost', fixture('constant-sleep.js')]);
    expect(r.code).toBe(104);
    expect(r.stderr).toMatch(/--monitor.*"localhost" is not an http\(s\) URL/);
  });
});
