// The target as a child process: `--port 0` prints the URL first and the admin token second;
// env faults apply from the start; SIGTERM lets an in-flight request finish and exits 0; the crash
// fault answers and then exits 1; spawnTarget reports a failed start with the stderr tail.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setFaults } from '../../wms/faults-client.ts';
import { spawnTarget, type SpawnedTarget } from '../../wms/spawn.ts';
import { login } from './helpers.ts';

const small = ['--seed-users', '10', '--seed-skus', '50'];

function runCli(env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['bin/aetos-load.js', 'target', '--port', '0', ...small], {
    env: { ...process.env, ADMIN_TOKEN: 'tok-123', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const lines = new Promise<string[]>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const ls = out.split('\n');
      if (ls.length >= 3) resolve(ls);
    });
    child.once('exit', () => reject(new Error(`exited early: ${out}`)));
  });
  return { child, lines, exit, stderr: () => err };
}

describe('target CLI and spawnTarget', () => {
  const started: SpawnedTarget[] = [];
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });

  it('--port 0 prints the URL as the first line and the admin token second; SIGTERM finishes an in-flight slow request and exits 0', async () => {
    const { child, lines, exit, stderr } = runCli();
    const [first, second] = await lines;
    expect(first).toMatch(/^AetosWMS target listening on http:\/\/127\.0\.0\.1:\d+$/);
    expect(second).toBe('admin token: tok-123');
    const url = first.split(' ').pop()!;
    const token = await login(url);
    await setFaults(url, 'tok-123', { latencyMs: 1500 });
    const t0 = performance.now();
    const inflight = fetch(`${url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).username).toBe('user0001');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(await exit).toBe(0);
    // no warning from the process or its libraries on the way (fastify once warned FSTDEP023 at every start)
    expect(stderr()).not.toMatch(/Warning|FSTDEP|DEP0/);
  });

  it('spawnTarget: env faults apply from the start; crash answers, then the process exits 1', async () => {
    const s = await spawnTarget({ env: { FAULT_LATENCY_MS: '250' }, args: small });
    started.push(s);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const t0 = performance.now();
    const token = await login(s.url);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(245);
    const exited = new Promise<number | null>((resolve) => {
      const timer = setInterval(() => {
        try {
          process.kill(s.pid, 0);
        } catch {
          clearInterval(timer);
          resolve(null);
        }
      }, 50);
    });
    const r = await setFaults(s.url, s.adminToken, { crash: true });
    expect(r.crash).toBe(true);
    await exited;
    await expect(fetch(`${s.url}/api/health`)).rejects.toThrow();
    expect(token).toBeTypeOf('string');
  });

  it('crash exit code is 1', async () => {
    const { lines, exit } = runCli();
    const url = (await lines)[0].split(' ').pop()!;
    await setFaults(url, 'tok-123', { crash: true });
    expect(await exit).toBe(1);
  });

  it('spawnTarget rejects with a clear error and the stderr tail when the target cannot start', async () => {
    await expect(spawnTarget({ args: ['--seed-users', 'lots'] })).rejects.toThrow(/target failed to start: exited with code 2[\s\S]*--seed-users: expected a non-negative integer/);
    await expect(spawnTarget({ env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' } })).rejects.toThrow(/could not start/);
  });

  it('a spawned target exits when its parent is SIGKILLed, and removes the upload folder it created', async () => {
    const uploadDir = path.join(os.tmpdir(), `aetos-up-orphan-${process.pid}-${Date.now()}`);
    const code = `import { spawnTarget } from './wms/spawn.ts';
const t = await spawnTarget({ args: ['--seed-users', '2', '--seed-skus', '5'], env: { UPLOAD_DIR: ${JSON.stringify(uploadDir)} } });
console.log(JSON.stringify({ pid: t.pid, url: t.url }));
setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    const info = await new Promise<{ pid: number; url: string }>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (d) => {
        out += d;
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
      parent.once('exit', (c) => reject(new Error(`parent exited ${c} before the target started`)));
    });
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    try {
      expect((await fetch(`${info.url}/api/health/live`)).status).toBe(200);
      expect(existsSync(uploadDir)).toBe(true);
      parent.kill('SIGKILL');
      const t0 = Date.now();
      while (alive(info.pid) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 100));
      expect(alive(info.pid), 'the orphaned target is still running').toBe(false);
      expect(existsSync(uploadDir)).toBe(false);
    } finally {
      if (alive(info.pid)) process.kill(info.pid, 'SIGKILL');
    }
  }, 60_000);

  it('refuses to listen beyond loopback with the default seed password: one line naming SEED_PASSWORD, exit 2', async () => {
    const child = spawn(process.execPath, ['bin/aetos-load.js', 'target', '--host', '0.0.0.0', '--port', '0'], {
      env: { ...process.env, SEED_PASSWORD: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/refusing to listen on 0\.0\.0\.0 .*set SEED_PASSWORD/);
  });
});
