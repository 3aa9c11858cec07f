// `aetos-load preflight` and `readiness` as users run them: the table and --json against a real
// service, the exit codes, and bad flags or config as one line with exit 104 before anything starts.
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTarget, type RunningTarget } from '../../wms/index.ts';
import { hostIndependent } from '../wms/helpers.ts';
import { runCli } from '../ops/fixtures/run-cli.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aetos-pf-cli-'));
let target: RunningTarget;
beforeAll(async () => {
  target = await startTarget({ seedUsers: 5, seedSkus: 20, rateLimitPerMinute: 0, ...hostIndependent });
});
afterAll(async () => {
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('aetos-load preflight', () => {
  it('--json: every item with a status and a reason; a missing variable fails it (exit 1)', async () => {
    const config = path.join(dir, 'aetos.config.json');
    writeFileSync(config, JSON.stringify({ requiredEnv: ['AETOS_PF_SET', 'AETOS_PF_MISSING'], resources: { cpuPercent: 100, memoryPercent: 100, diskPercent: 100 } }));
    const r = await runCli(['preflight', '--url', target.url, '--config', config, '--json'], { AETOS_PF_SET: 'yes', AETOS_PF_MISSING: '' });
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.verdict).toBe('fail');
    expect(report.items.map((i: { id: string }) => i.id)).toEqual(['health', 'tls', 'env', 'uploads', 'logging', 'backups', 'notifications', 'resources']);
    for (const i of report.items) expect(i.reason.length).toBeGreaterThan(5);
    expect(report.items.find((i: { id: string }) => i.id === 'env')).toMatchObject({ status: 'fail', reason: '1 of 2 not set or empty: AETOS_PF_MISSING' });
    expect(report.items.find((i: { id: string }) => i.id === 'health').status).toBe('pass');
    expect(report.items.find((i: { id: string }) => i.id === 'backups').status).toBe('not configured');
  });

  it('the table on a terminal-less stdout, exit 0 when nothing failed', async () => {
    const config = path.join(dir, 'ok.json');
    writeFileSync(config, JSON.stringify({ resources: { cpuPercent: 100, memoryPercent: 100, diskPercent: 100 } }));
    const r = await runCli(['preflight', '--url', target.url, '--config', config]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ Health test score > 90 %\s+pass\s+score \d+\.\d %/);
    expect(r.stdout).toMatch(/– TLS certificate\s+not configured\s+http URL: no TLS to check/);
    expect(r.stdout).toContain('PREFLIGHT PASSED');
  });

  it('bad flags and config: one line, exit 104, nothing started', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{"uploads": {"limitMb": -1}}');
    for (const [args, line] of [
      [['--config', bad], /bad\.json: "uploads\.limitMb" must be a number ≥ 0/],
      [['--config', path.join(dir, 'none.json')], /none\.json: no such file/],
      [['--cert-days', 'soon'], /--cert-days: "soon" must be a whole number of days/],
      [['--backup-age', 'old'], /--backup-age: "old" is not a duration/],
    ] as const) {
      const r = await runCli(['preflight', '--url', target.url, ...args]);
      expect(r.code).toBe(104);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(line);
    }
  });
});

describe('aetos-load readiness flags', () => {
  it('an unknown scenario, profile or bad config: one line, exit 104, no results folder', async () => {
    const results = path.join(dir, 'never');
    for (const [args, line] of [
      [['--only', 'light,nope'], /--only: no scenario "nope"; the scenarios are: .*light/],
      [['--profile', 'fast'], /--profile must be one of quick, standard, nightly, got "fast"/],
      [['--interval', '0s'], /--interval: must be more than 0/],
    ] as const) {
      const r = await runCli(['readiness', '--url', target.url, '--results', results, ...args]);
      expect(r.code).toBe(104);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(line);
    }
    expect(existsSync(results)).toBe(false);
  });
});
