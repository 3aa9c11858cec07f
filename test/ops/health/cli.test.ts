// `aetos-load health` as users run it (a child process): exit codes 0 / 1 / 2 / 104, --json,
// one clear line when the target cannot be reached.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startContractServer, type ContractServer } from '../fixtures/contract-server.ts';
import { runCli } from '../fixtures/run-cli.ts';

let server: ContractServer;
beforeAll(async () => {
  server = await startContractServer();
});
afterAll(() => server.close());

const env = { DATABASE_URL: '', REDIS_URL: '', BASE_URL: '' };

describe('aetos-load health', () => {
  it('--json prints one object with score, verdict and checks; exit 0 when healthy', async () => {
    server.faults = {};
    const r = await runCli(['health', '--url', server.url, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]);
    expect(report.score).toBeGreaterThanOrEqual(90);
    expect(report.verdict).toBe('healthy');
    expect(report.checks.length).toBeGreaterThanOrEqual(15);
    for (const c of report.checks) {
      expect(['pass', 'warn', 'fail', 'skip']).toContain(c.status);
      expect(typeof c.reason).toBe('string');
      expect(c).toHaveProperty('latencyMs');
    }
  });

  it('exit 1 with the table when the database is down', async () => {
    server.faults = { dbDown: true };
    try {
      const r = await runCli(['health', '--url', server.url], env);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/✗ Database \(via \/api\/health\)\s+\S+ ms\s+down/);
      expect(r.stdout).toMatch(/Health score \d+\.\d % \(needs > 90 %\): UNHEALTHY/);
    } finally {
      server.faults = {};
    }
  });

  it('exit 2 with one clear line when nothing answers', async () => {
    const port = await closedPort();
    const r = await runCli(['health', '--url', `http://127.0.0.1:${port}`], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([`aetos-load health: cannot reach the target at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`]);
  });

  it('BASE_URL is used when --url is not given', async () => {
    const port = await closedPort();
    const r = await runCli(['health'], { ...env, BASE_URL: `http://127.0.0.1:${port}/` });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`http://127.0.0.1:${port}:`);
  });

  it('a bad flag: exit 104 naming it', async () => {
    const r = await runCli(['health', '--bogus'], env);
    expect(r.code).toBe(104);
    expect(r.stderr).toContain("Unknown option '--bogus'");
  });
});
