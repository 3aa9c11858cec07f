/**
 * Direct checks of the datastores, bypassing the service: PostgreSQL `SELECT 1` and Redis
 * `PING` (the guide's `pg_isready` and `redis-cli ping`). Each connects fresh, answers once,
 * disconnects, and never throws: a refused, unreachable or malformed URL comes back as
 * `{ ok: false, error }`. URLs in messages have their password removed.
 */
import pg from 'pg';
import { Redis } from 'ioredis';

export interface DatastoreAnswer {
  ok: boolean;
  /** Round trip of the query/command itself, ms (connection set-up excluded). */
  ms: number;
  /** Connect + query, ms. */
  totalMs: number;
  detail?: string;
  error?: string;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function validUrl(url: string, protocols: string[]): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `not a URL: ${JSON.stringify(url.length > 60 ? url.slice(0, 60) + '…' : url)}`;
  }
  if (!protocols.includes(u.protocol)) return `unsupported scheme ${u.protocol} (expected ${protocols.join(' or ')})`;
  return undefined;
}

export async function pingPostgres(url: string, timeoutMs = 5000): Promise<DatastoreAnswer> {
  const bad = validUrl(url, ['postgres:', 'postgresql:']);
  if (bad) return { ok: false, ms: 0, totalMs: 0, error: bad };
  const start = performance.now();
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => {}); // a dropped connection after the answer is not this check's business
  try {
    await client.connect();
    const q = performance.now();
    const r = await client.query('SELECT 1 AS one');
    const ms = performance.now() - q;
    if (r.rows[0]?.one !== 1) return { ok: false, ms, totalMs: performance.now() - start, error: 'SELECT 1 did not return 1' };
    const v = await client.query('SHOW server_version');
    return { ok: true, ms, totalMs: performance.now() - start, detail: `PostgreSQL ${v.rows[0]?.server_version ?? '?'}` };
  } catch (err) {
    return { ok: false, ms: 0, totalMs: performance.now() - start, error: oneLine(err) };
  } finally {
    await client.end().catch(() => {});
  }
}

export async function pingRedis(url: string, timeoutMs = 5000): Promise<DatastoreAnswer> {
  const bad = validUrl(url, ['redis:', 'rediss:']);
  if (bad) return { ok: false, ms: 0, totalMs: 0, error: bad };
  const start = performance.now();
  let lastError: string | undefined;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
  });
  client.on('error', (err: Error) => (lastError = oneLine(err)));
  try {
    await client.connect();
    const q = performance.now();
    const pong = await client.ping();
    const ms = performance.now() - q;
    if (pong !== 'PONG') return { ok: false, ms, totalMs: performance.now() - start, error: `PING answered ${JSON.stringify(pong)}` };
    const info = await client.info('server').catch(() => '');
    const version = /redis_version:(\S+)/.exec(info)?.[1];
    return { ok: true, ms, totalMs: performance.now() - start, detail: version ? `Redis ${version}` : 'Redis' };
  } catch (err) {
    return { ok: false, ms: 0, totalMs: performance.now() - start, error: lastError ?? oneLine(err) };
  } finally {
    client.disconnect();
  }
}

function oneLine(err: unknown): string {
  const e = err as Error & { errors?: Error[] };
  // AggregateError from a dual-stack connect: the first inner error says what happened
  const msg = e?.message || e?.errors?.[0]?.message || String(err);
  return msg.split('\n')[0];
}
