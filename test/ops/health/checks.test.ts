// The health checks and the score against a contract fixture server on 127.0.0.1 (fast, and
// able to show states the real target cannot, such as a Docker engine); the end-to-end run
// against the real target is in health-cli.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerCheck, resourceCheck } from '../../../ops/health/checks.ts';
import { TargetUnreachable, runHealthCheck } from '../../../ops/health/index.ts';
import { renderHealth } from '../../../ops/health/render.ts';
import { healthScore, verdictOf } from '../../../ops/health/score.ts';
import type { CheckResult } from '../../../ops/health/types.ts';
import { startDockerEngine } from '../fixtures/docker-engine.ts';
import { closedPort, startContractServer, type ContractServer } from '../fixtures/contract-server.ts';

let server: ContractServer;
beforeAll(async () => {
  server = await startContractServer();
});
afterAll(() => server.close());

const noDocker = '/nonexistent/docker.sock';

describe('runHealthCheck', () => {
  it('scores a healthy service above 90 with every HTTP check passing', async () => {
    server.faults = {};
    const r = await runHealthCheck({ url: server.url, dockerSocket: noDocker, cpuSampleMs: 200, databaseUrl: '', redisUrl: '' });
    const byId = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    for (const id of ['api.health', 'frontend', 'database.api', 'redis.api', 'auth.login', 'auth.me', 'auth.reject', 'endpoint.inventory', 'endpoint.inventory-item', 'endpoint.orders', 'endpoint.stock-summary', 'response.cached', 'response.database'])
      expect(byId[id]?.status, `${id}: ${byId[id]?.reason}`).toBe('pass');
    expect(byId.containers).toMatchObject({ status: 'skip', weight: 0 });
    expect(byId.containers.reason).toContain('not available');
    expect(byId['database.direct'].status).toBe('skip');
    expect(r.score).toBeGreaterThanOrEqual(90);
    expect(r.verdict).toBe('healthy');
    for (const c of r.checks) expect(c.reason, c.id).not.toContain('\n');
  });

  it('a database outage fails the database check and drops the score below 90', async () => {
    server.faults = { dbDown: true };
    try {
      const r = await runHealthCheck({ url: server.url, dockerSocket: noDocker, cpuSampleMs: 200 });
      const byId = Object.fromEntries(r.checks.map((c) => [c.id, c]));
      expect(byId['database.api']).toMatchObject({ status: 'fail', reason: 'down' });
      expect(byId['api.health'].status).toBe('warn');
      expect(byId['api.health'].reason).toContain('down: database');
      expect(byId['auth.login'].status).toBe('fail');
      expect(r.score).toBeLessThan(60);
      expect(r.verdict).toBe('unhealthy');
    } finally {
      server.faults = {};
    }
  });

  it('slow answers turn the response-time checks to warn/fail', async () => {
    server.faults = { latencyMs: 450 };
    try {
      const r = await runHealthCheck({ url: server.url, dockerSocket: noDocker, cpuSampleMs: 100 });
      const byId = Object.fromEntries(r.checks.map((c) => [c.id, c]));
      expect(byId['response.cached'].status).toBe('fail'); // 450 ms ≥ 2 × 200 ms
      expect(byId['response.cached'].latencyMs).toBeGreaterThanOrEqual(440);
      // the database check is judged by the latency it measured: 450 ms plus whatever a loaded
      // machine adds, so its verdict is checked against its own reading, not assumed to be < 500
      const db = byId['response.database'];
      const ms = db.latencyMs ?? 0;
      expect(ms).toBeGreaterThanOrEqual(440);
      expect(db.status).toBe(ms < 500 ? 'pass' : ms < 1000 ? 'warn' : 'fail');
    } finally {
      server.faults = {};
    }
  });

  it('throws TargetUnreachable when nothing answers', async () => {
    const port = await closedPort();
    await expect(runHealthCheck({ url: `http://127.0.0.1:${port}`, dockerSocket: noDocker, cpuSampleMs: 50 })).rejects.toBeInstanceOf(TargetUnreachable);
  });

  it('renders an aligned table with ✓ ! ✗ – and the score line', async () => {
    const r = await runHealthCheck({ url: server.url, dockerSocket: noDocker, cpuSampleMs: 50 });
    const text = renderHealth(r, false);
    expect(text).toContain('✓ API reachable (/api/health)');
    expect(text).toContain('– Docker containers');
    expect(text).toMatch(/Health score \d+\.\d % \(needs > 90 %\): (HEALTHY|UNHEALTHY)/);
    const rows = text.split('\n').filter((l) => /^\s+\S*\s+[✓!✗–] /.test(l));
    expect(rows.length).toBe(r.checks.length);
    const col = new Set(rows.map((l) => l.search(/[✓!✗–] /)));
    expect(col.size).toBe(1); // symbols in one column
    expect(text).not.toContain('\x1b[');
  });
});

describe('containers through the Docker engine socket', () => {
  it('passes when all run healthy; fails on unhealthy/stopped; warns on restarts', async () => {
    const engine = await startDockerEngine([
      { id: 'a1', name: 'aetos_backend', state: 'running', health: 'healthy', restarts: 0 },
      { id: 'b2', name: 'aetos_postgres', state: 'running', restarts: 0 },
    ]);
    try {
      const ok = await containerCheck(engine.socketPath, 2000);
      expect(ok).toMatchObject({ status: 'pass', reason: '2/2 running' });
      engine.containers[1].restarts = 3;
      const restarted = await containerCheck(engine.socketPath, 2000);
      expect(restarted.status).toBe('warn');
      expect(restarted.reason).toContain('3 restarts (aetos_postgres ×3)');
      engine.containers[0].health = 'unhealthy';
      engine.containers.push({ id: 'c3', name: 'aetos_redis', state: 'exited', restarts: 0 });
      const bad = await containerCheck(engine.socketPath, 2000);
      expect(bad.status).toBe('fail');
      expect(bad.reason).toContain('2/3 running');
      expect(bad.reason).toContain('unhealthy: aetos_backend');
      expect(bad.reason).toContain('not running: aetos_redis (exited)');
    } finally {
      await engine.close();
    }
  });

  it("judges only AetosWMS's containers: another job's exited container does not make a healthy target unhealthy", async () => {
    const engine = await startDockerEngine([
      { id: 'a1', name: 'aetos_backend', state: 'running', health: 'healthy', restarts: 0 },
      { id: 'z9', name: 'nightly_batch', state: 'exited', restarts: 4, labels: { 'com.docker.compose.project': 'other-job' } },
      { id: 'y8', name: 'loose', state: 'exited', restarts: 0, labels: {} },
    ]);
    const saved = process.env.AETOS_CONTAINERS;
    try {
      expect(await containerCheck(engine.socketPath, 2000)).toMatchObject({ status: 'pass', reason: '1/1 running' });
      process.env.AETOS_CONTAINERS = 'label=com.docker.compose.project=other-job';
      expect((await containerCheck(engine.socketPath, 2000)).reason).toContain('0/1 running');
      process.env.AETOS_CONTAINERS = 'all';
      expect((await containerCheck(engine.socketPath, 2000)).reason).toContain('1/3 running');
    } finally {
      if (saved === undefined) delete process.env.AETOS_CONTAINERS;
      else process.env.AETOS_CONTAINERS = saved;
      await engine.close();
    }
  });

  it('no engine socket: not available and not scored', async () => {
    expect(await containerCheck('/nonexistent/docker.sock', 500)).toMatchObject({ status: 'skip', weight: 0 });
  });
});

describe('resources and score', () => {
  it('judges resources against 80 / 85 / 90 %', () => {
    expect(resourceCheck('resources.cpu', 79.9, '').status).toBe('pass');
    expect(resourceCheck('resources.cpu', 80, '').status).toBe('warn');
    expect(resourceCheck('resources.cpu', 96, '').status).toBe('fail');
    expect(resourceCheck('resources.memory', 84, '').status).toBe('pass');
    expect(resourceCheck('resources.memory', 86, '').status).toBe('warn');
    expect(resourceCheck('resources.disk', 84, '').status).toBe('pass');
    expect(resourceCheck('resources.disk', 87, '').status).toBe('warn');
    expect(resourceCheck('resources.disk', 90, '').status).toBe('fail');
  });

  it('weights checks, counts a warning half and leaves skipped checks out', () => {
    const c = (status: CheckResult['status'], weight: number): CheckResult => ({ id: 'x', category: 'x', name: 'x', status, latencyMs: null, reason: '', weight });
    expect(healthScore([c('pass', 3), c('fail', 1)])).toBe(75);
    expect(healthScore([c('pass', 1), c('warn', 1)])).toBe(75);
    expect(healthScore([c('pass', 1), c('skip', 0)])).toBe(100);
    expect(healthScore([])).toBe(0);
    expect(verdictOf(90)).toBe('unhealthy'); // the guide: > 90 %
    expect(verdictOf(90.1)).toBe('healthy');
  });
});
