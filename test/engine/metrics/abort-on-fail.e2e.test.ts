/**
 * abortOnFail end to end through the CLI: a loopback server turns slow 3 s after the first request,
 * crossing `max<1500` (abortOnFail, delayAbortEval 2s). The requests must stop by about second 7
 * (counted from its first request, on the server's clock) with exit 99, k6's abort message, and a complete --summary-export file.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../temp-dir.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../../..');
let server: Server | undefined;

afterAll(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

describe('abortOnFail', () => {
  it('crossing at second 3 with delayAbortEval 2s ends the run by second 7 with exit 99 and a full summary', async () => {
    let firstRequest = 0;
    let lastRequest = 0;
    server = createServer((_req, res) => {
      const now = Date.now();
      if (firstRequest === 0) firstRequest = now;
      lastRequest = now;
      const slow = now - firstRequest >= 3000;
      setTimeout(() => res.end('ok'), slow ? 2000 : 0);
    });
    server.keepAliveTimeout = 100;
    await new Promise<void>((r) => (server as Server).listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const dir = tempDir('aetos-abort-');
    const exportFile = join(dir, 'summary.json');

    const child = spawn(
      process.execPath,
      ['bin/aetos-load.js', 'run', '--quiet', '-e', `URL=http://127.0.0.1:${port}`, '--summary-export', exportFile, join(here, 'fixtures/abort-on-fail.js')],
      { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const ended = Date.now();
    clearTimeout(killer);

    const elapsed = ended - firstRequest;
    expect(firstRequest, stderr).toBeGreaterThan(0);
    expect(code, `${stdout}\n${stderr}`).toBe(99);
    expect(elapsed).toBeGreaterThan(3000);
    // Judged on the fixture's own clock: the last request the server saw came within the abort
    // window (slow from second 3, the first slow answer at ~5 s, a check every 2 s: ~7 s; 12 s
    // allows for a loaded machine), far from the script's 30 s.
    const served = lastRequest - firstRequest;
    expect(served, `requests stopped ${served} ms after the first`).toBeLessThan(12_000);
    expect(elapsed, `ended ${elapsed} ms after the first request`).toBeLessThan(25_000);
    expect(stderr).toContain("thresholds on metrics 'http_req_duration' were crossed; at least one has abortOnFail enabled, stopping test prematurely");

    const exp = JSON.parse(readFileSync(exportFile, 'utf8'));
    expect(exp.metrics.http_req_duration.thresholds).toEqual({ 'max<1500': true });
    expect(exp.metrics.http_req_duration.max).toBeGreaterThanOrEqual(1500);
    expect(exp.metrics.http_reqs.count).toBeGreaterThan(10);
    expect(exp.metrics.calls_made.count).toBeGreaterThan(10);
    expect(exp.metrics.checks).toMatchObject({ fails: 0, value: 1, thresholds: { 'rate>0.5': false } });
    expect(exp.metrics.iterations.count).toBeGreaterThan(10);
    expect(exp.root_group.groups.api.checks['status is 200'].passes).toBeGreaterThan(10);
    expect(stdout).toContain("✗ 'max<1500' max=");
    console.log(`abortOnFail: exit ${code}, requests stopped ${served} ms and the run ended ${elapsed} ms after its first request`);
  }, 100_000);
});
