/**
 * `aetos-load load <name>` end to end, as `npm run load:<name>` runs it: bundle, embedded target
 * (or BASE_URL), engine run, results/<name>/<UTC time>/ written with run.json, the engine's exit code
 * returned, the target stopped however the command ends. Runs write to temporary folders only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, readdirSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePrometheus, sumWhere } from '../../ops/shared/prometheus.ts';
import { spawnTarget, type SpawnedTarget } from '../../wms/spawn.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function load(
  args: string[],
  env: Record<string, string> = {},
  opts: { cwd?: string; onStderr?: (text: string, child: ChildProcess) => void; onStdout?: (child: ChildProcess) => void } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/aetos-load.js'), 'load', ...args], {
      cwd: opts.cwd ?? root,
      env: { ...process.env, BASE_URL: '', NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      opts.onStdout?.(child);
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      opts.onStderr?.(stderr, child);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 230_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const targets: SpawnedTarget[] = [];
const scratches: string[] = [];
afterAll(async () => {
  await Promise.all(targets.map((t) => t.stop()));
  await Promise.all(scratches.map((d) => rm(d, { recursive: true, force: true })));
});

/** A working folder that has the repo's scenarios, so `load` writes results/ and build/ there, never in the repo. */
async function scratch(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aetos-load-cwd-'));
  scratches.push(dir);
  symlinkSync(path.join(root, 'scenarios'), path.join(dir, 'scenarios'));
  return dir;
}

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('aetos-load load', () => {
  it('an unknown scenario: one line listing the scenarios, exit 2', async () => {
    const r = await load(['nope']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no scenario "nope"; the scenarios are: .*heavy.*smoke/);
  });

  it('two smoke runs at once: each its own results/smoke/<UTC time>/ with its run.json, latest points at one, exit 0', async () => {
    const cwd = await scratch();
    const target = await spawnTarget({ timeoutMs: 110_000 });
    targets.push(target);
    const [a, b] = await Promise.all([1, 2].map(() => load(['smoke', '--profile', 'quick'], { BASE_URL: target.url }, { cwd })));
    for (const r of [a!, b!]) expect(r.code, r.stderr).toBe(0);
    const runs = readdirSync(path.join(cwd, 'results/smoke')).filter((n) => n !== 'latest').sort();
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ(-\d+)?$/);
    const latest = path.join(cwd, 'results/smoke/latest');
    expect(lstatSync(latest).isSymbolicLink()).toBe(true);
    expect(runs).toContain(readlinkSync(latest));
    for (const run of runs) {
      const dir = path.join(cwd, 'results/smoke', run);
      const record = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'));
      expect(record).toMatchObject({ scenario: 'smoke', profile: 'quick', embeddedTarget: false, baseUrl: target.url, exitCode: 0, exitReason: 'passed: every threshold held', files: ['junit.xml', 'report.html', 'summary.json', 'run.json'] });
      expect(await readFile(path.join(dir, 'report.html'), 'utf8')).toMatch(/"scenario":"smoke","profile":"quick"/);
      expect(Date.parse(record.endedAt)).toBeGreaterThan(Date.parse(record.startedAt));
      expect(record.engineVersion).toMatch(/^\d+\.\d+\.\d+/);
      const summary = JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8'));
      expect(summary.metrics.http_reqs.count).toBe(11); // one login, then 5 × (health + SKU)
      expect(summary.metrics.checks.passes).toBe(10);
      expect(await readFile(path.join(dir, 'junit.xml'), 'utf8')).toMatch(/<testsuites[^>]*failures="0"/);
    }
    expect(`${a!.stderr}${b!.stderr}`).toContain(`results: results/smoke/${runs[0]}/ (junit.xml, report.html, summary.json, run.json); exit code 0`);
  }, 240_000);

  it('a results folder that cannot be made: one line naming it, exit 104, no target started', async () => {
    const cwd = await scratch();
    writeFileSync(path.join(cwd, 'plain'), 'x');
    const r = await load(['smoke', '--profile', 'quick', '--results', path.join(cwd, 'plain/run')], {}, { cwd });
    expect(r.code).toBe(104);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`aetos-load load: cannot write ${path.join(cwd, 'plain/run/run.json')}: ENOTDIR`);
    expect(r.stderr).not.toContain('target:');
  });

  it('a failed start (--runner k6 without k6) claims no earlier file: run.json lists only itself', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'aetos-load-failed-'));
    writeFileSync(path.join(dir, 'summary.json'), '{"from":"an earlier run"}');
    // an earlier run's file is older than this run (run.json allows a second of mtime slack)
    utimesSync(path.join(dir, 'summary.json'), new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    try {
      const r = await load(['smoke', '--profile', 'quick', '--results', dir, '--', '--runner', 'k6'], { BASE_URL: 'http://127.0.0.1:1', K6_BIN: path.join(dir, 'no-k6') });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(new RegExp(`results: ${dir}/ \\(run\\.json\\); exit code ${r.code}`));
      const record = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'));
      expect(record.files).toEqual(['run.json']);
      expect(record.exitCode).toBe(r.code);
      expect(record.args).toEqual(['--runner', 'k6']);
      expect(record.embeddedTarget).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('no orphans: a closed stdout pipe and SIGHUP each end the command and stop the embedded target', async () => {
    const cwd = await scratch();
    const urlOf = (text: string) => /target: embedded AetosWMS at http:\/\/127\.0\.0\.1:(\d+)/.exec(text)?.[1];
    // `load … | head -1`: our end of stdout closes after the first output
    let closed = false;
    const pipedRun = load(['smoke', '--profile', 'quick'], {}, {
      cwd,
      onStdout: (child) => {
        if (closed) return;
        closed = true;
        child.stdout?.destroy();
      },
    });
    // SIGHUP once the target is up (the terminal went away)
    let hung = false;
    const hupRun = load(['smoke', '--profile', 'quick'], {}, {
      cwd,
      onStderr: (text, child) => {
        if (hung || !urlOf(text)) return;
        hung = true;
        setTimeout(() => child.kill('SIGHUP'), 300);
      },
    });
    const [piped, hup] = await Promise.all([pipedRun, hupRun]);
    expect(hup.code, hup.stderr.slice(-1500)).toBe(105);
    for (const r of [piped, hup]) {
      const port = Number(urlOf(r.stderr));
      expect(port).toBeGreaterThan(0);
      expect(r.stderr).toMatch(/results: results\/\w+\/[^ ]+\/ \(/);
      expect(await listening(port)).toBe(false);
    }
  }, 240_000);
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
    const target = await spawnTarget({ env: { FAULT_ERROR_RATE: '0.1' }, timeoutMs: 110_000 });
    targets.push(target);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'aetos-load-heavy-'));
    const r = await load(['heavy', '--profile', 'quick', '--results', dir], { BASE_URL: target.url });
    expect(r.code, r.stderr.slice(-2000)).toBe(99);
    expect(r.stderr).toMatch(/thresholds on metrics '[^']*http_req_failed[^']*' have been crossed/);
    const summary = JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8'));
    await rm(dir, { recursive: true, force: true });
    const failed = summary.metrics.http_req_failed;
    expect(failed.value).toBeGreaterThan(0.05);
    expect(failed.thresholds['rate<0.05']).toBe(true);
    // The rate measured must be the rate the target answered with, by its own count. Not "about
    // 10 %": on a starved machine the target can also shed load (503 from back-pressure or its
    // database breaker), and both sides then agree on a higher rate. (A run beside a CPU hog and the
    // browser tests measured 59 % against the old `< 20 %` bound; its cause was not recorded.)
    const answered = await failedAnswers(target.url);
    const measured = `engine: ${failed.passes} failed of ${failed.passes + failed.fails}; target:\n${answered.lines.join('\n')}`;
    expect(answered.rate, measured).toBeGreaterThan(0.05);
    expect(Math.abs(failed.value - answered.rate), measured).toBeLessThan(0.03);
  }, 240_000);
});

/**
 * The target's own count of its answers (http_requests_total on /metrics): the failed ones as the
 * journey judges them (status ≥ 400, but an order refused for stock, 409, is expected).
 */
async function failedAnswers(url: string): Promise<{ rate: number; lines: string[] }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const samples = parsePrometheus(text);
  const answered = (l: Record<string, string>) => l.route !== '/metrics';
  const failed = (l: Record<string, string>) => answered(l) && Number(l.status_code) >= 400 && !(l.method === 'POST' && l.route === '/api/orders' && l.status_code === '409');
  const all = sumWhere(samples, 'http_requests_total', answered) ?? 0;
  const rate = all === 0 ? 0 : (sumWhere(samples, 'http_requests_total', failed) ?? 0) / all;
  return { rate, lines: text.split('\n').filter((l) => l.startsWith('http_requests_total{')) };
}
