// Why: builds and starts the service in-process (tests, the CLI): opens the db and cache, migrates
// and seeds, and registers the routes in four scopes (fastify encapsulation), so which gate a route
// sits behind follows from where it is registered, never from reading its URL:
//   public     /, /metrics, /api/health*, /openapi.json, /docs*            no gate
//   guarded    @fastify/under-pressure and the fault-injection hook, around:
//     login    POST /api/auth/login                                        rate-limited per address (+ username)
//     api      every other /api domain                                     bearer JWT, then 100 req/min per user
//   admin      /api/admin/*                                                X-Admin-Token
// A route added to a scope inherits its gate; a test walks fastify's route list to keep it so.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import underPressure from '@fastify/under-pressure';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { lazyChildLogger } from './lazy-child-logger.ts';
import { logRequests } from './request-log.ts';
import { authenticate, requireAdminToken } from './auth/guard.ts';
import { loginRoute, meRoute } from './auth/routes.ts';
import { type Cache, MemoryCache, openRedisCache } from './cache/index.ts';
import { configFromEnv, defaultSeedPassword, type TargetConfig } from './config.ts';
import type { Ctx } from './context.ts';
import { DbUnavailableError, openDb } from './db/index.ts';
import { migrateAndSeed } from './db/migrate.ts';
import { docsRoutes, documentApi, documentSecurity } from './docs/routes.ts';
import { faultAdminRoutes, injectFaults } from './faults/routes.ts';
import { FaultState } from './faults/state.ts';
import { frontendRoutes } from './frontend/index.ts';
import { healthRoutes } from './health/routes.ts';
import { inventoryRoutes } from './inventory/routes.ts';
import { createMetrics } from './metrics/registry.ts';
import { metricsRoutes, recordRequests } from './metrics/routes.ts';
import { orderRoutes } from './orders/routes.ts';
import { reportRoutes } from './reports/routes.ts';
import { BreakerOpenError } from './resilience/breaker.ts';
import { rejectControlChars } from './security/input.ts';
import { registerRateLimits } from './security/rate-limit.ts';
import { uploadRoutes } from './uploads/routes.ts';

export interface RunningTarget {
  url: string;
  adminToken: string;
  app: FastifyInstance;
  ctx: Ctx;
  /** Every route fastify registered (method, url pattern). */
  routes: RouteEntry[];
  close(): Promise<void>;
}

/** Every route fastify registered, as the route-walk test reads them. */
export interface RouteEntry {
  method: string;
  url: string;
  schema?: { querystring?: unknown; params?: unknown; body?: unknown };
}

const loopback = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** One line naming what to set, or undefined: the default seed password is for loopback only. */
export function unsafeBinding(config: Pick<TargetConfig, 'host' | 'seedPassword' | 'seedPasswordIsDefault'>): string | undefined {
  if (loopback(config.host)) return undefined;
  if (config.seedPasswordIsDefault || config.seedPassword === defaultSeedPassword)
    return `refusing to listen on ${config.host} with the default seed password (every account would open with it): set SEED_PASSWORD`;
  return undefined;
}

/** Creates the upload folder; removes it when the process ends, if this process created it. */
function ownUploadDir(dir: string): () => void {
  const created = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  if (!created) return () => {};
  const remove = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', remove); // also after the crash fault's process.exit(1)
  return () => {
    process.removeListener('exit', remove);
    remove();
  };
}

export async function buildApp(config: TargetConfig, logger?: Logger): Promise<{ app: FastifyInstance; ctx: Ctx; routes: RouteEntry[] }> {
  const faults = new FaultState(config.faults);
  const metrics = createMetrics(() => faults.leakedBytes);
  const warn = (msg: string) => (logger ? logger.warn(msg) : process.stderr.write(`aetos-load target: ${msg}\n`));
  const db = await openDb({ url: config.databaseUrl, schema: config.databaseSchema, faults, metrics, poolMax: config.poolMax, breakerResetMs: config.breakerResetMs, warn });
  let cache: Cache;
  try {
    // Seeding must not be blocked by an outage fault set at start: the outage clock starts after it.
    const outage = config.faults.dbOutageSeconds;
    faults.outageUntil = 0;
    await migrateAndSeed(db, { users: config.seedUsers, skus: config.seedSkus, password: config.seedPassword });
    if (outage > 0) faults.merge({ dbOutageSeconds: outage });
    cache = config.redisUrl ? await openRedisCache(config.redisUrl, config.redisPrefix, config.breakerResetMs) : new MemoryCache();
  } catch (e) {
    faults.stop();
    await db.close().catch(() => {});
    throw e;
  }
  metrics.breakers.push(db.breaker, ...(cache.breaker ? [cache.breaker] : []));
  const ctx: Ctx = { config, db, cache, faults, metrics, startedAt: Date.now() };
  const removeUploadDir = ownUploadDir(config.uploadDir);
  const app = Fastify({
    // a request's child logger is made when the request logs its first line (lazy-child-logger.ts)
    ...(logger ? { loggerInstance: logger, childLoggerFactory: lazyChildLogger } : { logger: false }),
    // request lines are sampled by request-log.ts (server errors always logged); through a
    // LogController, as fastify 5.12 asks (the top-level option warns FSTDEP023 at every start)
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Slow clients are cut: the whole request (body included) within requestTimeout, headers within
    // headersTimeout, an idle socket after connectionTimeout, an idle keep-alive socket after keepAliveTimeout.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    maxRequestsPerSocket: config.maxRequestsPerSocket,
    http: {
      headersTimeout: Math.min(config.headersTimeoutMs, config.requestTimeoutMs || Number.POSITIVE_INFINITY),
      // Node enforces those two on a sweep, every 30 s by default: a slow body lived up to 30 s too long.
      connectionsCheckingInterval: Math.max(250, Math.min(1000, config.requestTimeoutMs / 4 || 1000)),
    },
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, allErrors: false } },
  }) as unknown as FastifyInstance;
  if (config.maxConnections > 0) app.server.maxConnections = config.maxConnections;
  const routes: RouteEntry[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url, schema: r.schema as RouteEntry['schema'] });
  });
  app.decorateRequest('timing', null);
  // Hooks on every request are written in callback style: an async hook costs a promise and a
  // microtask turn per request, measurable on the cached reads (issue 21).
  app.addHook('preHandler', rejectControlChars);
  app.setErrorHandler((err: any, req, reply) => {
    if (err.validation) return reply.code(400).send({ error: `invalid request: ${err.message}` });
    if (err instanceof BreakerOpenError) {
      metrics.rejected.inc({ reason: 'circuit_open' });
      return reply.code(503).header('Retry-After', String(err.retryAfterSeconds)).send({ error: err.message, retryAfterSeconds: err.retryAfterSeconds });
    }
    if (err instanceof DbUnavailableError) return reply.code(503).header('Retry-After', '5').send({ error: err.message });
    const code = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 && err.statusCode !== 500 ? err.statusCode : 500;
    if (code >= 500) req.log.error({ err }, 'request failed');
    return reply.code(code).send({ error: code === 500 ? 'internal error' : err.message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }));
  await documentApi(app);
  recordRequests(app, ctx);
  if (logger) logRequests(app, logger, config.requestLogPerSecond);
  const limits = await registerRateLimits(app, ctx);

  // public
  await app.register(async (pub) => {
    await metricsRoutes(pub, ctx);
    await healthRoutes(pub, ctx);
    await docsRoutes(pub);
    await frontendRoutes(pub);
  });
  // admin: outside back-pressure, so faults can be cleared while the service is struggling
  await app.register(async (admin) => {
    admin.addHook('onRequest', requireAdminToken(ctx));
    documentSecurity(admin, 'adminToken');
    await faultAdminRoutes(admin, ctx);
  });
  // guarded: back-pressure and injected faults for login and the API
  await app.register(async (guarded) => {
    if (config.maxEventLoopDelayMs > 0 || config.maxHeapUsedBytes > 0 || config.maxRssBytes > 0) {
      await guarded.register(underPressure, {
        maxEventLoopDelay: config.maxEventLoopDelayMs,
        maxHeapUsedBytes: config.maxHeapUsedBytes,
        maxRssBytes: config.maxRssBytes,
        sampleInterval: config.pressureSampleMs,
        retryAfter: 10,
        pressureHandler: (_req, reply, type, value) => {
          metrics.rejected.inc({ reason: 'under_pressure' });
          reply.code(503).header('Retry-After', '10').send({ error: `service under pressure (${type}${value === undefined ? '' : ` ${Math.round(Number(value))}`}), retry later` });
        },
      });
      ctx.pressure = () => {
        const u = guarded.memoryUsage();
        return { eventLoopDelayMs: u.eventLoopDelay, heapUsedBytes: u.heapUsed, rssBytes: u.rssBytes, underPressure: guarded.isUnderPressure() };
      };
    }
    injectFaults(guarded, ctx);
    await guarded.register(async (login) => loginRoute(login, ctx, limits));
    await guarded.register(async (api) => {
      api.addHook('onRequest', authenticate(ctx));
      api.addHook('onRequest', limits.hook('user', (req) => String(req.user!.id)));
      documentSecurity(api, 'bearer');
      await meRoute(api);
      await inventoryRoutes(api, ctx);
      await orderRoutes(api, ctx);
      await reportRoutes(api, ctx);
      // a scope of its own: @fastify/multipart's hooks (a listener and a promise per request) then
      // run on the upload route only, not on every API request
      await api.register(async (uploads) => uploadRoutes(uploads, ctx));
    });
  });
  app.addHook('onClose', async () => {
    faults.stop();
    await cache.close().catch(() => {});
    await db.close().catch(() => {});
    removeUploadDir();
  });
  return { app, ctx, routes };
}

/** Starts the service in this process. `config` overrides the env-derived defaults. */
export async function startTarget(config: Partial<TargetConfig> = {}, logger?: Logger): Promise<RunningTarget> {
  const env = configFromEnv({});
  const full: TargetConfig = { ...env, port: 0, ...config, faults: { ...env.faults, ...config.faults } };
  const refusal = unsafeBinding(full);
  if (refusal) throw new Error(refusal);
  const { app, ctx, routes } = await buildApp(full, logger);
  let closing: Promise<void> | undefined;
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('Connection', 'close');
    done(null, payload);
  });
  try {
    await app.listen({ port: full.port, host: full.host });
  } catch (e) {
    await app.close();
    throw e;
  }
  // Start-up (PGlite's wasm, schema compilation) blocks the event loop for seconds; the first
  // back-pressure sample would then refuse the first requests. Announce the service once it is calm.
  const busy = () => full.maxEventLoopDelayMs > 0 && (ctx.pressure?.().eventLoopDelayMs ?? 0) > full.maxEventLoopDelayMs;
  for (let waited = 0; busy() && waited < 10_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : full.port;
  const host = full.host.includes(':') ? `[${full.host}]` : full.host;
  // Graceful close: stop accepting, let in-flight requests finish; connections that turn idle
  // after their last response are closed as they do so (keep-alive would otherwise hold close()).
  const close = () =>
    (closing ??= (async () => {
      const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
      try {
        await app.close();
      } finally {
        clearInterval(sweep);
      }
    })());
  return { url: `http://${host}:${port}`, adminToken: full.adminToken, app, ctx, close, routes };
}
