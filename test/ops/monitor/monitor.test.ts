// startMonitor against servers on 127.0.0.1: alerts fire after their window and clear after
// recovery, the error rate comes from the target's /metrics, log errors are counted, alert
// events reach the JSON-lines file and a loopback webhook.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitor, writeMonitorReport, type AlertEvent } from '../../../ops/monitor/index.ts';
import type { AlertRule } from '../../../ops/monitor/rules.ts';
import { closedPort, startContractServer, type ContractServer } from '../fixtures/contract-server.ts';
import { startDockerEngine } from '../fixtures/docker-engine.ts';

let server: ContractServer;
let dir: string;
beforeAll(async () => {
  server = await startContractServer();
  dir = await mkdtemp(path.join(os.tmpdir(), 'aetos-monitor-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const only = (...names: string[]) => (r: AlertRule) => names.includes(r.name);

describe('startMonitor', () => {
  it('counts 5xx from /metrics as an error rate and fires/clears the error-rate rule; writes alerts as JSON lines and to a webhook', async () => {
    const received: AlertEvent[] = [];
    const hook = http.createServer((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c)).on('end', () => {
        received.push(JSON.parse(b));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const alertsFile = path.join(dir, 'sub', 'alerts.jsonl');
    const rules: AlertRule[] = [{ name: 'error-rate', metric: 'target.errorRatePercent', op: '>', threshold: 5, clearThreshold: 4, for: 2, severity: 'critical' }];
    // Between polls the test sends 20 API requests; errorRate 0.5 makes about half of them 500s.
    const traffic = async () => {
      for (let i = 0; i < 20; i++)
        await fetch(`${server.url}/api/orders`, { headers: { authorization: 'Bearer fixture-token' } }).then((r) => r.arrayBuffer());
    };
    const events: AlertEvent[] = [];
    let polls = 0;
    let phase: 'errors' | 'healthy' = 'errors';
    server.faults = { errorRate: 0.5 };
    const m = startMonitor({
      url: server.url, intervalMs: 300, durationMs: 20_000, rules, alertsFile,
      webhook: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
      onSample: () => void polls++,
      onAlert: (e) => {
        events.push(e);
        if (e.state === 'firing') {
          phase = 'healthy';
          server.faults = {};
        }
        if (e.state === 'resolved') void m.stop();
      },
    });
    const pump = (async () => {
      while (!events.some((e) => e.state === 'resolved') && polls < 60) {
        await traffic();
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const report = await m.done;
    await pump;
    hook.close();
    server.faults = {};
    expect(phase).toBe('healthy');
    expect(events.map((e) => e.state)).toEqual(['firing', 'resolved']);
    expect(events[0].value).toBeGreaterThan(5);
    const withRate = report.samples.filter((s) => s.values['target.errorRatePercent'] !== undefined);
    expect(withRate.length).toBeGreaterThan(2);
    // the file holds the same events, one JSON object per line
    const lines = (await readFile(alertsFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => `${l.rule}:${l.state}`)).toEqual(['error-rate:firing', 'error-rate:resolved']);
    expect(received.map((l) => `${l.rule}:${l.state}`)).toEqual(['error-rate:firing', 'error-rate:resolved']);
  });

  it('counts new error lines of a log file and raises error-logs', async () => {
    const log = path.join(dir, 'app.log');
    await writeFile(log, '{"level":50,"msg":"before the watch"}\n');
    const events: AlertEvent[] = [];
    const rules = (await import('../../../ops/monitor/rules.ts')).defaultRules.filter(only('error-logs'));
    let n = 0;
    const m = startMonitor({
      url: server.url, intervalMs: 200, durationMs: 10_000, rules, logFile: log,
      onSample: async () => {
        n++;
        if (n === 2) await appendFile(log, '{"level":30,"msg":"fine"}\n{"level":50,"msg":"db down"}\nlevel=error msg=again\n');
        if (n === 5) void m.stop();
      },
      onAlert: (e) => events.push(e),
    });
    const r = await m.done;
    const withErrors = r.samples.find((s) => s.values['logs.errors'] === 2);
    expect(withErrors?.errorLines).toEqual(['{"level":50,"msg":"db down"}', 'level=error msg=again']);
    expect(r.samples.at(-1)?.values['logs.errorsTotal']).toBe(2);
    expect(events.map((e) => `${e.rule}:${e.state}`)).toEqual(['error-logs:firing', 'error-logs:resolved']);
  });

  it('a target that is down: uptime 0 %, api-down fires after its window, --duration ends the watch', async () => {
    const port = await closedPort();
    const t0 = Date.now();
    const rules = (await import('../../../ops/monitor/rules.ts')).defaultRules.filter(only('api-down'));
    const r = await startMonitor({ url: `http://127.0.0.1:${port}`, intervalMs: 250, durationMs: 1500, rules }).done;
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(r.polls).toBeGreaterThanOrEqual(3);
    expect(r.uptimePercent).toBe(0);
    expect(r.samples[0].notes.api).toContain('ECONNREFUSED');
    expect(r.alerts[0]).toMatchObject({ rule: 'api-down', state: 'firing' });
    expect(r.firing).toEqual(['api-down']);
  });

  it('reads the target metrics and local resources on every poll', async () => {
    const r = await startMonitor({ url: server.url, intervalMs: 200, durationMs: 700, rules: [] }).done;
    const v = r.samples.at(-1)!.values;
    expect(v['api.up']).toBe(1);
    expect(v['frontend.up']).toBe(1);
    expect(v['database.up']).toBe(1);
    expect(v['target.rssMB']).toBeGreaterThan(10);
    expect(v['target.eventLoopLagMs']).toBeCloseTo(2.1, 5);
    expect(v['system.cpuPercent']).toBeGreaterThanOrEqual(0);
    expect(v['system.memoryPercent']).toBeGreaterThan(0);
    expect(v['system.diskPercent']).toBeGreaterThan(0);
    expect(r.uptimePercent).toBe(100);
    const [json, alerts] = await writeMonitorReport(r, path.join(dir, 'run-results'));
    expect(JSON.parse(await readFile(json, 'utf8'))).toMatchObject({ polls: r.polls, uptimePercent: 100 });
    expect(await readFile(alerts, 'utf8')).toBe('');
  });

  it('watches containers through the engine socket: a restart fires container-restarts, a stopped one container-unhealthy', async () => {
    const engine = await startDockerEngine([
      { id: 'a', name: 'backend', state: 'running', health: 'healthy', restarts: 0 },
      { id: 'b', name: 'redis', state: 'running', restarts: 1 },
    ]);
    try {
      const rules = (await import('../../../ops/monitor/rules.ts')).defaultRules.filter(only('container-restarts', 'container-unhealthy'));
      const events: string[] = [];
      let n = 0;
      const m = startMonitor({
        url: server.url, intervalMs: 200, durationMs: 10_000, rules, dockerSocket: engine.socketPath,
        onSample: () => {
          n++;
          if (n === 2) engine.containers[1].restarts = 2; // one new restart
          if (n === 4) engine.containers[0].state = 'exited';
          if (n === 7) void m.stop();
        },
        onAlert: (e) => events.push(`${e.rule}:${e.state}`),
      });
      const r = await m.done;
      expect(r.samples[0].values).toMatchObject({ 'containers.total': 2, 'containers.running': 2, 'containers.restarts': 1 });
      expect(r.samples[0].values['containers.newRestarts']).toBeUndefined(); // no previous poll to compare with
      expect(events).toEqual(['container-restarts:firing', 'container-restarts:resolved', 'container-unhealthy:firing']);
    } finally {
      await engine.close();
    }
  });

  it('stop() abandons a poll stuck on a slow API at once', async () => {
    server.faults = { latencyMs: 8000 };
    try {
      const m = startMonitor({ url: server.url, intervalMs: 1000, rules: [] });
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      const r = await m.stop();
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(r.polls).toBe(0);
    } finally {
      server.faults = {};
    }
  });
});
