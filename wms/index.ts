// Why: builds and starts the service in-process (tests, the CLI): opens the db and cache, migrates
// and seeds, registers one plugin per domain, and closes everything on close().
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { authRoutes } from './auth/routes.ts';
import { MemoryCache, openRedisCache } from './cache/index.ts';
import { configFromEnv, type TargetConfig } from './config.ts';
import type { Ctx } from './context.ts';
import { DbUnavailableError, openDb } from './db/index.ts';
import { migrateAndSeed } from './db/migrate.ts';
import { faultRoutes } from './faults/routes.ts';
import { FaultState } from './faults/state.ts';
import { frontendRoutes } from './frontend.ts';
import { healthRoutes } from './health/routes.ts';
import { inventoryRoutes } from './inventory/routes.ts';
import { createMetrics } from './metrics/registry.ts';
import { metricsRoutes } from './metrics/routes.ts';
import { orderRoutes } from './orders/routes.ts';
import { reportRoutes } from './reports/routes.ts';
import { uploadRoutes } from './uploads/routes.ts';

export interface RunningTarget {
  url: string;
  adminToken: string;
  app: FastifyInstance;
  ctx: Ctx;
  close(): Promise<void>;
}

export async function buildApp(config: TargetConfig, logger?: Logger): Promise<{ app: FastifyInstance; ctx: Ctx }> {
  const faults = new FaultState(config.faults);
  const metrics = createMetrics(() => faults.leakedBytes);
  const db = await openDb({ url: config.databaseUrl, schema: config.databaseSchema, faults, metrics });
  let cache;
  try {
    // Seeding must not be blocked by an outage fault set at start: the outage clock starts after it.
    const outage = config.faults.dbOutageSeconds;
    faults.outageUntil = 0;
    await migrateAndSeed(db, { users: config.seedUsers, skus: config.seedSkus, password: config.seedPassword });
    if (outage > 0) faults.merge({ dbOutageSeconds: outage });
    cache = config.redisUrl ? await openRedisCache(config.redisUrl, config.redisPrefix) : new MemoryCache();
  } catch (e) {
    faults.stop();
    await db.close().catch(() => {});
    throw e;
  }
  const ctx: Ctx = { config, db, cache, faults, metrics, startedAt: Date.now() };
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    bodyLimit: 1024 * 1024,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, allErrors: false } },
  }) as unknown as FastifyInstance;
  app.decorateRequest('timing', null as any);
  app.addHook('onRequest', async (req) => {
    req.timing = { db: 0, cache: 0 };
  });
  app.setErrorHandler((err: any, req, reply) => {
    if (err.validation) return reply.code(400).send({ error: `invalid request: ${err.message}` });
    if (err instanceof DbUnavailableError) return reply.code(503).send({ error: err.message });
    const code = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (code === 500) req.log.error({ err }, 'request failed');
    return reply.code(code).send({ error: code === 500 ? 'internal error' : err.message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }));
  await metricsRoutes(app, ctx);
  await faultRoutes(app, ctx);
  await authRoutes(app, ctx);
  await healthRoutes(app, ctx);
  await inventoryRoutes(app, ctx);
  await orderRoutes(app, ctx);
  await reportRoutes(app, ctx);
  await uploadRoutes(app, ctx);
  await frontendRoutes(app);
  app.addHook('onClose', async () => {
    faults.stop();
    await cache.close().catch(() => {});
    await db.close().catch(() => {});
  });
  return { app, ctx };
}

/** Starts the service in this process. `config` overrides the env-derived defaults. */
export async function startTarget(config: Partial<TargetConfig> = {}, logger?: Logger): Promise<RunningTarget> {
  const full: TargetConfig = { ...configFromEnv({}), port: 0, ...config, faults: { ...configFromEnv({}).faults, ...config.faults } };
  const { app, ctx } = await buildApp(full, logger);
  let closing: Promise<void> | undefined;
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('Connection', 'close');
  });
  try {
    await app.listen({ port: full.port, host: full.host });
  } catch (e) {
    await app.close();
    throw e;
  }
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
  return { url: `http://${host}:${port}`, adminToken: full.adminToken, app, ctx, close };
}
