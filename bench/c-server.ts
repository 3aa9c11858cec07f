/**
 * The benchmarks' shared target: bench/http-server.c compiled on the fly (a single-threaded epoll
 * keep-alive server that answers "200 ok", optionally after a fixed delay), started on a free
 * loopback port, so the load generators, not the server, are what is measured.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

export function startProcess(cmd: string, args: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout!.once('data', (d: Buffer) => (String(d).includes('listening') ? resolve(child) : reject(new Error(String(d)))));
  });
}

/** Compiles the server once; `start(delayMs)` runs one on a free port; `close()` stops them all and removes the binary. */
export function cServers(): { start(delayMs?: number): Promise<string>; close(): void } {
  const bin = join(tmpdir(), `aetos-http-bench-server-${process.pid}`);
  execFileSync('gcc', ['-O2', '-o', bin, join(import.meta.dirname, 'http-server.c')]);
  const children: ChildProcess[] = [];
  return {
    async start(delayMs?: number) {
      const port = await freePort();
      children.push(await startProcess(bin, delayMs ? [String(port), String(delayMs)] : [String(port)]));
      return `http://127.0.0.1:${port}/`;
    },
    close() {
      for (const c of children) c.kill();
      rmSync(bin, { force: true });
    },
  };
}
