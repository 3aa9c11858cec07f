// Why: PGlite (in-process) and a real Postgres pool behind one small interface, so the routes, the
// migrations and the seed are the same SQL on both. Faults (slow queries, outage) and the
// db_query_duration_seconds histogram are applied here, around every query.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultState } from '../faults/state.ts';
import type { TargetMetrics } from '../metrics/registry.ts';

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
  query: RawQuery;
  tx<T>(fn: (raw: RawQuery) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const connErrors = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08006', '08001', '08003']);

function wrap(driver: Driver, faults: FaultState, metrics?: TargetMetrics): Db {
  const run = async (raw: RawQuery, name: string, sql: string, params?: unknown[]) => {
    if (faults.dbDown()) throw new DbUnavailableError();
    const start = performance.now();
    try {
      if (faults.slowQueryMs > 0) await sleep(faults.slowQueryMs);
      return await raw(sql, params);
    } catch (e: any) {
      if (e && connErrors.has(e.code)) throw new DbUnavailableError(`database unavailable: ${e.message}`);
      throw e;
    } finally {
      metrics?.dbDuration.observe({ query: name }, (performance.now() - start) / 1000);
    }
  };
  return {
    kind: driver.kind,
    query: (name, sql, params) => run(driver.query, name, sql, params),
    tx: (fn) => {
      if (faults.dbDown()) return Promise.reject(new DbUnavailableError());
      return driver.tx((raw) => fn({ query: (name, sql, params) => run(raw, name, sql, params) }));
    },
    ping: async () => {
      await run(driver.query, 'ping', 'SELECT 1');
    },
    close: () => driver.close(),
  };
}

async function pgliteDriver(): Promise<Driver> {
  const { PGlite } = await import('@electric-sql/pglite');
  const pg = await PGlite.create();
  const norm = (r: any): QueryResult => ({ rows: r.rows, rowCount: r.affectedRows ?? r.rows.length });
  return {
    kind: 'pglite',
    query: async (sql, params) => norm(await pg.query(sql, params as any[])),
    tx: (fn) => pg.transaction((t) => fn(async (sql, params) => norm(await t.query(sql, params as any[])))),
    close: () => pg.close(),
  };
}

async function postgresDriver(url: string, schema?: string): Promise<Driver> {
  const pgmod = await import('pg');
  const Pool = pgmod.default.Pool;
  if (schema && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`DATABASE_SCHEMA: not a plain identifier: ${schema}`);
  if (schema) {
    const c = new pgmod.default.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await c.end();
    }
  }
  const pool = new Pool({
    connectionString: url,
    max: 100,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  pool.on('error', () => {}); // idle client errors surface on the next query instead of crashing
  const norm = (r: any): QueryResult => ({ rows: r.rows, rowCount: r.rowCount ?? 0 });
  return {
    kind: 'postgres',
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

export async function openDb(opts: { url?: string; schema?: string; faults: FaultState; metrics?: TargetMetrics }): Promise<Db> {
  const driver = opts.url ? await postgresDriver(opts.url, opts.schema) : await pgliteDriver();
  return wrap(driver, opts.faults, opts.metrics);
}
