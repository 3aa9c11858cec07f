// Why: runs the target as a CHILD process (the load generator must not share its event loop):
// waits for the "listening on" line, returns its URL and admin token, stop() = SIGTERM and wait.
// The child holds a pipe from us on its stdin (--exit-with-parent): if this process dies, even by
// SIGKILL, the pipe closes and the target shuts down instead of living on as an orphan.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SpawnedTarget {
  url: string;
  adminToken: string;
  pid: number;
  stop(): Promise<void>;
}

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/aetos-load.js');

export function spawnTarget(opts: { env?: Record<string, string>; args?: string[]; timeoutMs?: number } = {}): Promise<SpawnedTarget> {
  const adminToken = opts.env?.ADMIN_TOKEN ?? randomBytes(16).toString('hex');
  const args = opts.args ?? [];
  const extra = args.includes('--log') || args.some((a) => a.startsWith('--log=')) || args.includes('--quiet') ? [] : ['--quiet'];
  const child = spawn(process.execPath, [bin, 'target', '--port', '0', '--exit-with-parent', ...extra, ...args], {
    env: { ...process.env, ...opts.env, ADMIN_TOKEN: adminToken },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin!.on('error', () => {}); // the child may be gone first
  // Our end of the pipe must not keep this process alive.
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 35_000);
      await exited;
      clearTimeout(t);
    }
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let done = false;
    const fail = (why: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`target failed to start: ${why}${stderr ? `\n--- stderr tail ---\n${stderr.trim()}` : ''}`));
    };
    const timer = setTimeout(() => fail(`no "listening on" line within ${(opts.timeoutMs ?? 90_000) / 1000} s`), opts.timeoutMs ?? 90_000);
    child.once('error', (e) => fail(e.message));
    child.once('exit', (code, sig) => fail(`exited with ${sig ?? `code ${code}`} before listening`));
    child.stdout!.on('data', (d) => {
      if (done) return; // keep draining so the child never blocks on a full pipe
      out += d;
      const m = /AetosWMS target listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      done = true;
      clearTimeout(timer);
      resolve({ url: m[1], adminToken, pid: child.pid!, stop });
    });
  });
}
