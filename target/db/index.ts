// Why: PGlite (in-process) and a real Postgres pool behind one small interface, so the routes, the
// migrations and the seed are the same SQL on both. Faults (slow queries, outage) and the
// db_query_duration_seconds histogram are applied here, around every query.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
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

/**
 * A fresh PGlite runs initdb inside its wasm on every start (≈ 2 s and 3 s of CPU on a 2-core box).
 * The just-initialised, still empty data directory is the same every time for one PGlite build, so
 * the first start keeps it as a tarball in node_modules/.cache/aetos-load/ (keyed by the PGlite
 * version; beside the package, not in a shared temp folder another user could write) and later
 * starts load it instead (≈ 0.5 s; PGlite's own clone() does the same). Schema, seed and everything
 * after are unchanged: each start still gets its own empty in-memory database. A missing, unreadable
 * or unwritable cache just means a normal start.
 */
export function pgliteTemplatePath(): string | undefined {
  try {
    const req = createRequire(import.meta.url);
    const pkgDir = path.join(path.dirname(req.resolve('@electric-sql/pglite')), '..');
    const { version } = req(path.join(pkgDir, 'package.json')) as { version: string };
    return path.join(pkgDir, '..', '..', '.cache', 'aetos-load', `pglite-initdb-${version}.tar`);
  } catch {
    return undefined;
  }
}

/** Loads the cached initdb tarball when there is one, else runs initdb and writes it. */
export async function createPglite(template = pgliteTemplatePath()) {
  const { PGlite } = await import('@electric-sql/pglite');
  if (template) {
    // Read whole into memory, not fs.openAsBlob: with a file-backed Blob the target's RSS stood still for
    // seconds while the leak fault allocated (memory-leak-fault saw no growth); the copies made here are
    // start-up garbage the target collects before it answers (target/cli.ts).
    const data = await readFile(template).then((b) => new Blob([b])).catch(() => undefined);
    if (data) {
      try {
        return await PGlite.create({ loadDataDir: data });
      } catch {
        await rm(template, { force: true }); // stale or torn: start normally and write it again
      }
    }
  }
  const pg = await PGlite.create();
  if (template) {
    // Written under a unique name, then renamed: parallel first starts never read a half-written file.
    const tmp = `${template}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    try {
      await mkdir(path.dirname(template), { recursive: true });
      await writeFile(tmp, Buffer.from(await (await pg.dumpDataDir('none')).arrayBuffer()));
      await rename(tmp, template);
    } catch {
      await rm(tmp, { force: true }).catch(() => {});
    }
  }
  return pg;
}

async function pgliteDriver(): Promise<Driver> {
  const pg = await createPglite();
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
