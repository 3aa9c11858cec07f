/**
 * The monitor keeps its word: against a server that accepts connections and never answers, a poll
 * that times out is a failed poll — the watch ends on time with uptime 0 % and an api-down alert.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer as createHttpServer } from 'node:http';
import path from 'node:path';
import { probe } from '../../../ops/shared/http-probe.ts';
import { startMonitor } from '../../../ops/monitor/index.ts';
import { runCli } from '../fixtures/run-cli.ts';
import { tempDir } from '../../temp-dir.ts';

const sockets: Socket[] = [];
let server: Server | undefined;
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
});

describe('monitor against a target that never answers', () => {
  it('ends at --duration with uptime 0 % and api-down firing', async () => {
    server = createServer((s) => {
      sockets.push(s);
      s.resume(); // read the request, never answer
    });
    await new Promise<void>((r) => (server as Server).listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const t0 = Date.now();
    const handle = startMonitor({ url, intervalMs: 300, durationMs: 3000, timeoutMs: 400, onWarning: () => {} });
    const report = await handle.done;
    const took = Date.now() - t0;
    // duration + at most one poll's timeout past it, with room for a loaded machine
    expect(took).toBeLessThan(3000 + 400 + 3000);
    expect(report.polls).toBeGreaterThanOrEqual(2);
    expect(report.uptimePercent).toBe(0);
    expect(report.alerts.map((a) => a.rule)).toContain('api-down');
  });

  it('the CLI: `monitor --duration 3s` ends on time, uptime 0 %, api-down, exit 1; `run --monitor` reports 0 % too', async () => {
    const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
    const dir = tempDir('aetos-hang-');
    const t0 = Date.now();
    const r = await runCli(['monitor', '--url', url, '--interval', '500ms', '--duration', '3s', '--timeout', '1s', '--json', '--alerts', path.join(dir, 'a.jsonl')], {}, 40_000);
    expect(Date.now() - t0).toBeLessThan(20_000);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ type: 'summary', uptimePercent: 0 });
    expect(summary.alerts.map((a: { rule: string }) => a.rule)).toContain('api-down');
    expect(r.code).toBe(1);
    const script = path.resolve(import.meta.dirname, '../../fixtures/runner/constant-sleep.js');
    const run = await runCli(['run', '--quiet', '--monitor', url, '--summary-export', path.join(dir, 'summary.json'), script], {}, 40_000);
    expect(run.stderr).toMatch(/monitor: \d+ polls, uptime 0\.0 %/);
  }, 60_000);
});

describe('health and monitor input', () => {
  it('a body is read up to a bound: an endless body does not fill the memory', async () => {
    const endless = createHttpServer((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (res.write(chunk)) {
          /* keep writing */
        }
      };
      res.on('drain', pump);
      pump();
    });
    await new Promise<void>((r) => endless.listen(0, '127.0.0.1', r));
    try {
      const r = await probe(`http://127.0.0.1:${(endless.address() as AddressInfo).port}/`, { timeoutMs: 10_000 });
      expect(r.reached).toBe(true);
      expect(r.body.length).toBe(1024 * 1024);
    } finally {
      endless.closeAllConnections();
      await new Promise((r) => endless.close(r));
    }
  });

  it('a malformed --url or --timeout: one line each, usage error 104', async () => {
    const cases: [string[], RegExp][] = [
      [['health', '--url', 'notaurl'], /^aetos-load health: --url: "notaurl" is not a URL/],
      [['health', '--url', 'http://127.0.0.1:1', '--timeout', '0'], /^aetos-load health: --timeout: "0" must be more than 0/],
      [['health', '--url', 'http://127.0.0.1:1', '--timeout', 'soon'], /^aetos-load health: --timeout: "soon" is not a duration/],
      [['monitor', '--url', 'ftp://x', '--duration', '1s'], /^aetos-load monitor: --url: "ftp:\/\/x" is not an http\(s\) URL/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args, { BASE_URL: '' })));
    results.forEach((r, i) => {
      expect(r.code, String(cases[i]![0])).toBe(104);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(cases[i]![1]);
    });
  }, 60_000);
});
