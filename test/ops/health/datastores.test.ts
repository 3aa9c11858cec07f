// Direct PostgreSQL and Redis checks against the machine's real services (CI starts them and
// exports DATABASE_TEST_URL / REDIS_TEST_URL), and URLs that must fail.
import { describe, expect, it } from 'vitest';
import { postgresDirectCheck, redisDirectCheck } from '../../../ops/health/checks.ts';
import { pingPostgres, pingRedis, redactUrl } from '../../../ops/shared/datastores.ts';
import { closedPort } from '../fixtures/contract-server.ts';

const pgUrl = process.env.DATABASE_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

describe('direct PostgreSQL check (SELECT 1)', () => {
  it('passes against the real server, with its version and a latency', async () => {
    const c = await postgresDirectCheck(pgUrl, 5000);
    expect(c.status, c.reason).toMatch(/pass|warn/);
    expect(c.reason).toMatch(/^PostgreSQL \d+/);
    expect(c.latencyMs).toBeGreaterThan(0);
    expect(c.weight).toBeGreaterThan(0);
  });

  it('fails on a closed port, an unknown database and a malformed URL, saying why', async () => {
    const port = await closedPort();
    const refused = await postgresDirectCheck(`postgres://postgres:secret@127.0.0.1:${port}/test`, 3000);
    expect(refused.status).toBe('fail');
    expect(refused.reason).toContain('ECONNREFUSED');
    expect(refused.reason).not.toContain('secret');
    const u = new URL(pgUrl);
    u.pathname = '/no_such_db_aetos';
    const nodb = await pingPostgres(u.toString(), 3000);
    expect(nodb).toMatchObject({ ok: false });
    expect(nodb.error).toMatch(/no_such_db_aetos/);
    const bad = await postgresDirectCheck('mysql://127.0.0.1/x', 1000);
    expect(bad).toMatchObject({ status: 'fail' });
    expect(bad.reason).toContain('unsupported scheme mysql:');
  });

  it('is not applicable (skipped, not scored) without a URL', async () => {
    expect(await postgresDirectCheck(undefined, 1000)).toMatchObject({ status: 'skip', weight: 0 });
  });
});

describe('direct Redis check (PING)', () => {
  it('passes against the real server', async () => {
    const c = await redisDirectCheck(redisUrl, 5000);
    expect(c.status, c.reason).toMatch(/pass|warn/);
    expect(c.reason).toMatch(/^PONG from Redis \d/);
  });

  it('fails on a closed port and a malformed URL', async () => {
    const port = await closedPort();
    const refused = await pingRedis(`redis://127.0.0.1:${port}`, 3000);
    expect(refused.ok).toBe(false);
    expect(refused.error).toContain('ECONNREFUSED');
    const c = await redisDirectCheck('redis//nope', 1000);
    expect(c).toMatchObject({ status: 'fail' });
    expect(c.reason).toContain('not a URL');
  });

  it('redacts passwords in messages', () => {
    expect(redactUrl('redis://:hunter2@127.0.0.1:6379/0')).not.toContain('hunter2');
  });
});
