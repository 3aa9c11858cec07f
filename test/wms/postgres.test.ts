// Real Postgres only (DATABASE_TEST_URL): the pool is sized below the server's max_connections, so
// a burst larger than the server allows never locks other clients out ("too many clients" before,
// with max: 100 against max_connections 100); an idempotent read survives its connection being
// terminated mid-query (retried with backoff).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTarget, type TestTarget } from './helpers.ts';

const url = process.env.DATABASE_TEST_URL;

describe.skipIf(!url)('target on real Postgres: pool size and retries (set DATABASE_TEST_URL to run)', () => {
  let t: TestTarget;
  beforeAll(async () => {
    t = await startTestTarget('postgres', { seedUsers: 2, seedSkus: 10 });
  });
  afterAll(async () => {
    await t?.stopAll();
  });

  it('the pool stays below max_connections with headroom; a 150-query burst leaves room for another client', async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const max = Number((await c.query('SHOW max_connections')).rows[0].max_connections);
    await c.end();
    expect(t.ctx.db.poolSize).toBeLessThanOrEqual(100);
    expect(t.ctx.db.poolSize).toBeLessThanOrEqual(Math.floor(max * 0.8));
    const burst = Promise.all(Array.from({ length: 150 }, () => t.ctx.db.query('t', 'SELECT pg_sleep(0.3)')));
    await new Promise((r) => setTimeout(r, 150));
    const other = new pg.Client({ connectionString: url });
    await other.connect(); // "sorry, too many clients already" before
    expect((await other.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    await other.end();
    await burst;
  }, 60_000);

  it('a read whose connection is terminated mid-query is retried and succeeds', async () => {
    const schema = t.ctx.config.databaseSchema!;
    const read = t.ctx.db.read<{ ok: number }>('retry_probe', 'SELECT 1 AS ok FROM pg_sleep(0.6)');
    await new Promise((r) => setTimeout(r, 250));
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const killed = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND query LIKE '%pg_sleep(0.6)%' AND pid <> pg_backend_pid()`,
      [`aetos-wms:${schema}`],
    );
    await admin.end();
    expect(killed.rowCount).toBeGreaterThanOrEqual(1);
    expect((await read).rows[0]!.ok).toBe(1);
    expect(await (await fetch(`${t.url}/metrics`)).text()).toMatch(/^db_query_retries_total\{query="retry_probe"\} [1-9]/m);
  }, 60_000);
});
