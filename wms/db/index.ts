// Why: PGlite (in-process) and a real Postgres pool behind one small interface, so the routes, the
// migrations and the seed are the same SQL on both. Faults (slow queries, outage) and the
// db_query_duration_seconds histogram are applied here, around every query.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultState } from '../faults/state.ts';
import type { TargetMetrics } from '../metrics/registry.ts';
import { type Breaker, createBreaker } from '../resilience/breaker.ts';
import { retryTransient } from '../resilience/retry.ts';
import { createPglite } from './pglite-snapshot.ts';

export interface QueryResult<R = Record<string, unknown>> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  /** `name` labels db_query_duration_seconds. */
  query<R = Record<string, any>>(name: string, sql: string, params?: unknown[]): Promise<QueryResult<R>>;
}

export interface Db extends Queryable {
  kind: 'pglite' | 'postgres';
  /** An idempotent read: retried (3 attempts, backoff) when the database is briefly unavailable. */
  read<R = Record<string, any>>(name: string, sql: string, params?: unknown[]): Promise<QueryResult<R>>;
  /** Connections the pool may open (1 for PGlite). */
  poolSize: number;
  breaker: Breaker;
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Thrown while the database is down (injected outage or a lost connection); answered with 503. */
export class DbUnavailableError extends Error {
  statusCode = 503;
  constructor(msg = 'database unavailable') {
    super(msg);
  }
}

type RawQuery = (sql: string, params?: unknown[]) => Promise<QueryResult<any>>;

interface Driver {
  kind: Db['kind'];
  poolSize: number;
  query: RawQuery;
  tx<T>(fn: (raw: RawQuery) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// Lost or refused connections, an admin shutdown, too many clients: the database is (briefly) away.
const connErrors = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08006', '08001', '08003', '08004', '53300']);
const connMessages = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i;

function wrap(driver: Driver, faults: FaultState, breakerResetMs: number, metrics?: TargetMetrics): Db {
  const breaker = createBreaker('database', { resetMs: breakerResetMs, isFailure: (e) => e instanceof DbUnavailableError });
  const run = async (raw: RawQuery, name: string, sql: string, params?: unknown[]) => {
    if (faults.dbDown()) throw new DbUnavailableError();
    const start = performance.now();
    try {
      if (faults.slowQueryMs > 0) await sleep(faults.slowQueryMs);
      return await raw(sql, params);
    } catch (e: any) {
      if (e && (connErrors.has(e.code) || connMessages.test(String(e.message)))) throw new DbUnavailableError(`database unavailable: ${e.message}`);
      throw e;
    } finally {
      metrics?.dbDuration.observe({ query: name }, (performance.now() - start) / 1000);
    }
  };
  const query: Queryable['query'] = (name, sql, params) => breaker.run(() => run(driver.query, name, sql, params));
  const transient = (e: unknown) => e instanceof DbUnavailableError;
  return {
    kind: driver.kind,
    poolSize: driver.poolSize,
    breaker,
    query,
    read: (name, sql, params) =>
      retryTransient(() => query(name, sql, params), transient, { onRetry: () => metrics?.dbRetries.inc({ query: name }) }),
    tx: (fn) =>
      breaker.run(() => {
        if (faults.dbDown()) return Promise.reject(new DbUnavailableError());
        return driver.tx((raw) => fn({ query: (name, sql, params) => run(raw, name, sql, params) }));
      }),
    // Health asks the database itself, past the breaker, so it sees the moment the database is back.
    ping: async () => {
      await run(driver.query, 'ping', 'SELECT 1');
    },
    close: async () => {
      breaker.shutdown();
      await driver.close();
    },
  };
}

async function pgliteDriver(): Promise<Driver> {
  const { db: pg } = await createPglite();
  const norm = (r: any): QueryResult => ({ rows: r.rows, rowCount: r.affectedRows ?? r.rows.length });
  return {
    kind: 'pglite',
    poolSize: 1,
    query: async (sql, params) => norm(await pg.query(sql, params as any[])),
    tx: (fn) => pg.transaction((t) => fn(async (sql, params) => norm(await t.query(sql, params as any[])))),
    close: () => pg.close(),
  };
}

/**
 * The pool's size: at most `want` (the guide's 100) and never more than the server can give:
 * max_connections minus the slots reserved for superusers, minus those other clients hold now,
 * minus 20 % headroom for everyone else (psql, migrations, a second instance). A pool as large as
 * max_connections locked every other client out during an order burst ("too many clients").
 */
export async function poolSizeFor(client: { query(sql: string): Promise<{ rows: any[] }> }, want: number): Promise<{ size: number; why?: string }> {
  const setting = async (name: string) => Number((await client.query(`SELECT current_setting('${name}', true) AS v`)).rows[0]?.v ?? 0) || 0;
  const max = await setting('max_connections');
  const reserved = (await setting('superuser_reserved_connections')) + (await setting('reserved_connections'));
  const inUse = Number((await client.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend'`)).rows[0].n);
  const headroom = Math.ceil(max * 0.2);
  const room = Math.max(1, max - reserved - inUse - headroom);
  if (room >= want) return { size: want };
  return {
    size: room,
    why: `database pool capped at ${room} connections (POOL_MAX ${want}): the server allows max_connections ${max}, ${reserved} reserved, ${inUse} in use by other clients, ${headroom} kept free`,
  };
}

async function postgresDriver(url: string, schema: string | undefined, poolMax: number, warn: (msg: string) => void): Promise<Driver> {
  const pgmod = await import('pg');
  const Pool = pgmod.default.Pool;
  if (schema && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`DATABASE_SCHEMA: not a plain identifier: ${schema}`);
  const c = new pgmod.default.Client({ connectionString: url });
  await c.connect();
  let size: number;
  try {
    if (schema) await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    const sized = await poolSizeFor(c, poolMax);
    size = sized.size;
    if (sized.why) warn(sized.why);
  } finally {
    await c.end();
  }
  const pool = new Pool({
    connectionString: url,
    max: size,
    // names this instance's connections in pg_stat_activity (tests and operators can find them)
    application_name: `aetos-wms:${schema ?? 'public'}`,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  pool.on('error', () => {}); // idle client errors surface on the next query instead of crashing
  const norm = (r: any): QueryResult => ({ rows: r.rows, rowCount: r.rowCount ?? 0 });
  return {
    kind: 'postgres',
    poolSize: size,
    query: async (sql, params) => norm(await pool.query(sql, params as any[])),
    tx: async (fn) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const out = await fn(async (sql, params) => norm(await c.query(sql, params as any[])));
        await c.query('COMMIT');
        return out;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}

export async function openDb(opts: {
  url?: string;
  schema?: string;
  faults: FaultState;
  metrics?: TargetMetrics;
  poolMax?: number;
  breakerResetMs?: number;
  warn?: (msg: string) => void;
}): Promise<Db> {
  const driver = opts.url
    ? await postgresDriver(opts.url, opts.schema, opts.poolMax ?? 100, opts.warn ?? ((m) => process.stderr.write(`${m}\n`)))
    : await pgliteDriver();
  return wrap(driver, opts.faults, opts.breakerResetMs ?? 5000, opts.metrics);
}
