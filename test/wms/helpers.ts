// Why: shared setup for the target tests: start the service on PGlite + memory cache, or on the
// CI Postgres + Redis (DATABASE_TEST_URL / REDIS_TEST_URL) in a unique schema and key prefix that
// are dropped afterwards, plus login and request helpers.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { type RunningTarget, startTarget } from '../../wms/index.ts';
import type { TargetConfig } from '../../wms/config.ts';

export type Storage = 'pglite' | 'postgres';

/** The storage paths to run: PGlite always; Postgres + Redis when CI exports their URLs. */
export const storages: Storage[] = process.env.DATABASE_TEST_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestTarget extends RunningTarget {
  stopAll(): Promise<void>;
}

/**
 * For targets started in the test's own process (startTarget reads no env): no 503 for the event
 * loop's delay, which on a loaded machine measures the host, not the target (vitest.config.ts sets
 * MAX_EVENT_LOOP_DELAY_MS=0 for the spawned ones). Tests of back-pressure set their own limits.
 */
export const hostIndependent = { maxEventLoopDelayMs: 0 } as const;

export async function startTestTarget(storage: Storage, config: Partial<TargetConfig> = {}): Promise<TestTarget> {
  const tag = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const pgCfg: Partial<TargetConfig> =
    storage === 'postgres'
      ? {
          databaseUrl: process.env.DATABASE_TEST_URL,
          databaseSchema: `aetos_test_${tag}`,
          redisUrl: process.env.REDIS_TEST_URL,
          redisPrefix: `aetos-test-${tag}:`,
        }
      : {};
  const t = await startTarget({ seedUsers: 20, seedSkus: 100, rateLimitPerMinute: 0, ...hostIndependent, ...pgCfg, ...config });
  return {
    ...t,
    async stopAll() {
      await t.close();
      if (storage === 'postgres') {
        const c = new pg.Client({ connectionString: process.env.DATABASE_TEST_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${pgCfg.databaseSchema} CASCADE`);
        await c.end();
      }
    },
  };
}

export async function login(url: string, username = 'user0001', password = 'Passw0rd!'): Promise<string> {
  const r = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (r.status !== 200) throw new Error(`login ${username}: HTTP ${r.status} ${(await r.text()).slice(0, 200)}`);
  return ((await r.json()) as { token: string }).token;
}

export async function api(url: string, token: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const r = await fetch(`${url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
  });
  const text = await r.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: r.status, body, headers: r.headers };
}

/** One request with the path sent exactly as given (fetch would normalise it), for attacks on routing. */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, method, path, agent: rawAgent, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
    req.on('error', reject);
    req.end(body);
  });
}
const rawAgent = new http.Agent({ keepAlive: true, maxSockets: 20 });
