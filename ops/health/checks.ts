/**
 * Every check of the guide's system health test (test-system), one function per heading:
 * connectivity (API, frontend), database, Redis, authentication, API endpoints, response
 * times, containers and system resources. Each returns pass / warn / fail with its latency
 * and a one-line reason, and never throws.
 */
import { inspectContainers } from '../shared/docker.ts';
import { pingPostgres, pingRedis, redactUrl } from '../shared/datastores.ts';
import { joinUrl, jsonBody, probe, type ProbeResult } from '../shared/http-probe.ts';
import { diskUsage, memoryUsage, resourceLimits, sampleCpuPercent } from '../shared/system.ts';
import { weightOf } from './score.ts';
import type { CheckResult, CheckStatus } from './types.ts';

export interface HealthContext {
  url: string;
  timeoutMs: number;
  user: string;
  password: string;
  databaseUrl?: string;
  redisUrl?: string;
  dockerSocket?: string;
  /** Directory whose filesystem the disk check measures. */
  diskPath: string;
  /** A SKU known to exist, for the single-item and cached-read checks. */
  sku: string;
}

/** The guide's response-time bars, ms. */
export const responseLimits = { cachedMs: 200, databaseMs: 500, dbQueryMs: 50, apiMs: 1000 } as const;

export function check(id: string, category: string, name: string, status: CheckStatus, latencyMs: number | null, reason: string): CheckResult {
  return { id, category, name, status, latencyMs: latencyMs === null ? null : Math.round(latencyMs * 10) / 10, reason, weight: status === 'skip' ? 0 : weightOf(id) };
}

/** What `/api/health` says, in the target's contract shape. */
export interface ApiHealthBody {
  status?: string;
  uptimeSeconds?: number;
  memory?: { rssBytes?: number; heapUsedBytes?: number };
  checks?: Record<string, { status?: string; latencyMs?: number; kind?: string; error?: string } | undefined>;
}

function statusLine(r: ProbeResult): string {
  return r.reached ? `HTTP ${r.status}` : (r.error ?? 'no answer');
}

// --- connectivity -----------------------------------------------------------------------------

export function apiCheck(r: ProbeResult): CheckResult {
  const name = 'API reachable (/api/health)';
  if (!r.reached) return check('api.health', 'connectivity', name, 'fail', r.ms, `no answer: ${r.error}`);
  const body = jsonBody<ApiHealthBody>(r);
  if (!body || typeof body.status !== 'string')
    return check('api.health', 'connectivity', name, 'fail', r.ms, `HTTP ${r.status}, body is not the health JSON`);
  const down = Object.entries(body.checks ?? {}).filter(([, c]) => c && c.status !== 'up').map(([k]) => k);
  if (r.status === 200 && body.status === 'ok') {
    const uptime = body.uptimeSeconds !== undefined ? `, uptime ${Math.round(body.uptimeSeconds)} s` : '';
    if (r.ms > responseLimits.apiMs) return check('api.health', 'connectivity', name, 'warn', r.ms, `status ok but slow (> ${responseLimits.apiMs} ms)${uptime}`);
    return check('api.health', 'connectivity', name, 'pass', r.ms, `HTTP 200, status ok${uptime}`);
  }
  // It answers, so it is reachable; the failing dependency is judged by its own check.
  return check('api.health', 'connectivity', name, 'warn', r.ms, `HTTP ${r.status}, status ${body.status}${down.length ? ` (down: ${down.join(', ')})` : ''}`);
}

export function frontendCheck(r: ProbeResult): CheckResult {
  const name = 'Frontend (/ serves HTML)';
  if (!r.reached) return check('frontend', 'connectivity', name, 'fail', r.ms, `no answer: ${r.error}`);
  const html = /text\/html/i.test(r.headers['content-type'] ?? '') || /<html[\s>]/i.test(r.body);
  if (r.status >= 200 && r.status < 300 && html) return check('frontend', 'connectivity', name, 'pass', r.ms, `HTTP ${r.status}, ${r.body.length} bytes of HTML`);
  if (r.status >= 200 && r.status < 300) return check('frontend', 'connectivity', name, 'fail', r.ms, `HTTP ${r.status} but not HTML (${r.headers['content-type'] ?? 'no content-type'})`);
  return check('frontend', 'connectivity', name, 'fail', r.ms, `HTTP ${r.status}`);
}

// --- dependencies as the service sees them ----------------------------------------------------

/** Database or cache status from `/api/health`'s `checks`. */
export function dependencyViaApi(id: 'database.api' | 'redis.api', key: string[], r: ProbeResult): CheckResult {
  const category = id === 'database.api' ? 'database' : 'redis';
  const name = id === 'database.api' ? 'Database (via /api/health)' : 'Redis/cache (via /api/health)';
  const body = r.reached ? jsonBody<ApiHealthBody>(r) : undefined;
  if (!body) return check(id, category, name, 'fail', null, `/api/health gave no status (${statusLine(r)})`);
  const found = key.map((k) => body.checks?.[k]).find((c) => c !== undefined);
  if (!found) return check(id, category, name, 'fail', null, `/api/health does not report ${key.join(' or ')}`);
  const lat = typeof found.latencyMs === 'number' ? found.latencyMs : null;
  const kind = found.kind ? ` (${found.kind})` : '';
  if (found.status === 'up') {
    if (id === 'database.api' && lat !== null && lat > responseLimits.dbQueryMs)
      return check(id, category, name, 'warn', lat, `up${kind} but its probe took > ${responseLimits.dbQueryMs} ms`);
    return check(id, category, name, 'pass', lat, `up${kind}`);
  }
  return check(id, category, name, 'fail', lat, `${found.status ?? 'unknown'}${kind}${found.error ? `: ${found.error}` : ''}`);
}

// --- direct datastore checks ------------------------------------------------------------------

export async function postgresDirectCheck(url: string | undefined, timeoutMs: number): Promise<CheckResult> {
  const name = 'Database direct (SELECT 1)';
  if (!url) return check('database.direct', 'database', name, 'skip', null, 'not checked: no DATABASE_URL given');
  const a = await pingPostgres(url, timeoutMs);
  if (!a.ok) return check('database.direct', 'database', name, 'fail', a.totalMs, `${redactUrl(url)}: ${a.error}`);
  const status = a.ms > responseLimits.dbQueryMs ? 'warn' : 'pass';
  return check('database.direct', 'database', name, status, a.ms, `${a.detail}, connect + query ${Math.round(a.totalMs)} ms${status === 'warn' ? `, query > ${responseLimits.dbQueryMs} ms` : ''}`);
}

export async function redisDirectCheck(url: string | undefined, timeoutMs: number): Promise<CheckResult> {
  const name = 'Redis direct (PING)';
  if (!url) return check('redis.direct', 'redis', name, 'skip', null, 'not checked: no REDIS_URL given');
  const a = await pingRedis(url, timeoutMs);
  if (!a.ok) return check('redis.direct', 'redis', name, 'fail', a.totalMs, `${redactUrl(url)}: ${a.error}`);
  const status = a.ms > responseLimits.dbQueryMs ? 'warn' : 'pass';
  return check('redis.direct', 'redis', name, status, a.ms, `PONG from ${a.detail}`);
}

// --- authentication ---------------------------------------------------------------------------

export interface AuthOutcome {
  checks: CheckResult[];
  token?: string;
}

export async function authChecks(ctx: HealthContext): Promise<AuthOutcome> {
  const login = joinUrl(ctx.url, '/api/auth/login');
  const me = joinUrl(ctx.url, '/api/auth/me');
  const out: CheckResult[] = [];
  const r = await probe(login, { method: 'POST', body: { username: ctx.user, password: ctx.password }, timeoutMs: ctx.timeoutMs });
  const token = r.status === 200 ? jsonBody<{ token?: string }>(r)?.token : undefined;
  if (token) out.push(check('auth.login', 'auth', `Login (${ctx.user})`, 'pass', r.ms, 'HTTP 200, token issued'));
  else out.push(check('auth.login', 'auth', `Login (${ctx.user})`, 'fail', r.ms, r.status === 200 ? 'HTTP 200 but no token in the body' : statusLine(r)));

  if (token) {
    const m = await probe(me, { headers: { authorization: `Bearer ${token}` }, timeoutMs: ctx.timeoutMs });
    const body = jsonBody<{ username?: string; user?: { username?: string } }>(m);
    const who = body?.username ?? body?.user?.username;
    if (m.status === 200 && who === ctx.user) out.push(check('auth.me', 'auth', 'Token accepted (/api/auth/me)', 'pass', m.ms, `HTTP 200, user ${who}`));
    else if (m.status === 200) out.push(check('auth.me', 'auth', 'Token accepted (/api/auth/me)', 'warn', m.ms, `HTTP 200 but the user is ${JSON.stringify(who)}, not ${ctx.user}`));
    else out.push(check('auth.me', 'auth', 'Token accepted (/api/auth/me)', 'fail', m.ms, statusLine(m)));
  } else out.push(check('auth.me', 'auth', 'Token accepted (/api/auth/me)', 'fail', null, 'not checked: login gave no token'));

  const [bad, anon] = await Promise.all([
    probe(login, { method: 'POST', body: { username: ctx.user, password: `${ctx.password}-wrong` }, timeoutMs: ctx.timeoutMs }),
    probe(me, { timeoutMs: ctx.timeoutMs }),
  ]);
  const refused = (p: ProbeResult) => p.status === 401 || p.status === 403;
  if (refused(bad) && refused(anon)) out.push(check('auth.reject', 'auth', 'Bad credentials refused', 'pass', bad.ms, `wrong password → ${bad.status}, no token → ${anon.status}`));
  else out.push(check('auth.reject', 'auth', 'Bad credentials refused', 'fail', bad.ms, `wrong password → ${statusLine(bad)}, no token → ${statusLine(anon)} (expected 401)`));
  return { checks: out, token };
}

// --- endpoints and response times -------------------------------------------------------------

export function endpointList(sku: string): { id: string; path: string }[] {
  return [
    { id: 'endpoint.inventory', path: '/api/inventory' },
    { id: 'endpoint.inventory-item', path: `/api/inventory/${encodeURIComponent(sku)}` },
    { id: 'endpoint.orders', path: '/api/orders' },
    { id: 'endpoint.stock-summary', path: '/api/reports/stock-summary' },
  ];
}

export async function endpointChecks(ctx: HealthContext, token: string | undefined): Promise<CheckResult[]> {
  const list = endpointList(ctx.sku);
  if (!token) return list.map((e) => check(e.id, 'endpoints', `GET ${e.path}`, 'fail', null, 'not checked: no token (login failed)'));
  const headers = { authorization: `Bearer ${token}` };
  const results = await Promise.all(list.map((e) => probe(joinUrl(ctx.url, e.path), { headers, timeoutMs: ctx.timeoutMs })));
  return list.map((e, i) => {
    const r = results[i];
    const ok = r.status >= 200 && r.status < 300;
    return check(e.id, 'endpoints', `GET ${e.path}`, ok ? 'pass' : 'fail', r.ms, ok ? `HTTP ${r.status}, ${r.body.length} bytes` : statusLine(r));
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median of `n` sequential requests; null when any fails. */
async function timedMedian(url: string, headers: Record<string, string>, n: number, timeoutMs: number): Promise<{ ms: number; last: ProbeResult } | { ms: null; last: ProbeResult }> {
  const times: number[] = [];
  let last!: ProbeResult;
  for (let i = 0; i < n; i++) {
    last = await probe(url, { headers, timeoutMs });
    if (last.status < 200 || last.status >= 300) return { ms: null, last };
    times.push(last.ms);
  }
  return { ms: median(times), last };
}

function againstLimit(ms: number, limit: number): CheckStatus {
  return ms < limit ? 'pass' : ms < 2 * limit ? 'warn' : 'fail';
}

export async function responseTimeChecks(ctx: HealthContext, token: string | undefined): Promise<CheckResult[]> {
  const cachedName = `Cached read < ${responseLimits.cachedMs} ms`;
  const dbName = `Database-bound < ${responseLimits.databaseMs} ms`;
  if (!token)
    return [
      check('response.cached', 'response-times', cachedName, 'fail', null, 'not checked: no token (login failed)'),
      check('response.database', 'response-times', dbName, 'fail', null, 'not checked: no token (login failed)'),
    ];
  const headers = { authorization: `Bearer ${token}` };
  const item = joinUrl(ctx.url, `/api/inventory/${encodeURIComponent(ctx.sku)}`);
  await probe(item, { headers, timeoutMs: ctx.timeoutMs }); // warm the cache
  const cached = await timedMedian(item, headers, 5, ctx.timeoutMs);
  const db = await timedMedian(joinUrl(ctx.url, '/api/reports/stock-summary'), headers, 3, ctx.timeoutMs);
  const out: CheckResult[] = [];
  if (cached.ms === null) out.push(check('response.cached', 'response-times', cachedName, 'fail', cached.last.ms, `GET /api/inventory/${ctx.sku}: ${statusLine(cached.last)}`));
  else {
    const hit = cached.last.headers['x-cache'];
    const note = hit && !/hit/i.test(hit) ? ` (X-Cache: ${hit}, expected HIT)` : hit ? ' (X-Cache: HIT)' : '';
    const st = againstLimit(cached.ms, responseLimits.cachedMs);
    out.push(check('response.cached', 'response-times', cachedName, hit && !/hit/i.test(hit) && st === 'pass' ? 'warn' : st, cached.ms, `median of 5 GET /api/inventory/${ctx.sku}${note}`));
  }
  if (db.ms === null) out.push(check('response.database', 'response-times', dbName, 'fail', db.last.ms, `GET /api/reports/stock-summary: ${statusLine(db.last)}`));
  else out.push(check('response.database', 'response-times', dbName, againstLimit(db.ms, responseLimits.databaseMs), db.ms, 'median of 3 GET /api/reports/stock-summary'));
  return out;
}

// --- containers and system resources ----------------------------------------------------------

export async function containerCheck(socketPath: string | undefined, timeoutMs: number): Promise<CheckResult> {
  const name = 'Docker containers';
  const rep = await inspectContainers(socketPath, timeoutMs);
  if (!rep.available) return check('containers', 'containers', name, rep.socketFound ? 'warn' : 'skip', null, rep.reason);
  const cs = rep.containers;
  if (cs.length === 0) return check('containers', 'containers', name, 'skip', rep.ms, 'Docker engine runs no containers');
  const notRunning = cs.filter((c) => c.state !== 'running');
  const unhealthy = cs.filter((c) => c.health === 'unhealthy');
  const restarted = cs.filter((c) => c.restartCount > 0);
  const restarts = restarted.reduce((n, c) => n + c.restartCount, 0);
  const parts = [`${cs.length - notRunning.length}/${cs.length} running`];
  if (unhealthy.length) parts.push(`unhealthy: ${unhealthy.map((c) => c.name).join(', ')}`);
  if (notRunning.length) parts.push(`not running: ${notRunning.map((c) => `${c.name} (${c.state})`).join(', ')}`);
  if (restarts) parts.push(`${restarts} restart${restarts > 1 ? 's' : ''} (${restarted.map((c) => `${c.name} ×${c.restartCount}`).join(', ')})`);
  const status: CheckStatus = unhealthy.length || notRunning.length ? 'fail' : restarts ? 'warn' : 'pass';
  return check('containers', 'containers', name, status, rep.ms, parts.join('; '));
}

/**
 * One resource reading against its guide limit. A single reading is not "an extended period"
 * (the guide's wording for CPU and memory), so crossing the limit warns; only a reading close
 * to exhaustion (95 %) fails. Disk is the exception: at its limit it fails.
 */
export function resourceCheck(id: 'resources.cpu' | 'resources.memory' | 'resources.disk', percent: number, detail: string): CheckResult {
  const limit = id === 'resources.cpu' ? resourceLimits.cpu : id === 'resources.memory' ? resourceLimits.memory : resourceLimits.disk;
  const label = id === 'resources.cpu' ? 'CPU' : id === 'resources.memory' ? 'Memory' : 'Disk';
  const failAt = id === 'resources.disk' ? limit : 95;
  const warnAt = id === 'resources.disk' ? limit - 5 : limit;
  const status: CheckStatus = percent >= failAt ? 'fail' : percent >= warnAt ? 'warn' : 'pass';
  return check(id, 'resources', `${label} < ${limit} %`, status, null, `${percent.toFixed(1)} % ${detail}`);
}

export async function resourceChecks(diskPath: string, cpuSampleMs = 1000): Promise<CheckResult[]> {
  const [cpu, disk] = await Promise.all([sampleCpuPercent(cpuSampleMs), diskUsage(diskPath).catch((e: Error) => e)]);
  const mem = memoryUsage();
  const gb = (b: number) => `${(b / 2 ** 30).toFixed(1)} GB`;
  const out = [
    resourceCheck('resources.cpu', cpu, `busy over ${(cpuSampleMs / 1000).toFixed(1)} s`),
    resourceCheck('resources.memory', mem.percent, `used of ${gb(mem.totalBytes)}`),
  ];
  if (disk instanceof Error) out.push(check('resources.disk', 'resources', `Disk < ${resourceLimits.disk} %`, 'fail', null, `cannot read ${diskPath}: ${disk.message}`));
  else out.push(resourceCheck('resources.disk', disk.percent, `used on ${diskPath} (${gb(disk.freeBytes)} free)`));
  return out;
}
