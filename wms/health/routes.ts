// Why: health for people and for orchestrators, no auth:
//   /api/health        every check (database, cache/Redis, event loop, circuit breakers, memory); 503 when a dependency is down
//   /api/health/live   liveness: the process answers (restart it when this fails)
//   /api/health/ready  readiness: database and cache up, no breaker open, not under pressure (take it out of rotation when 503)
// Checks ask the database and Redis directly (past the breakers), with a 2 s bound each.
import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../context.ts';

async function check(fn: () => Promise<void>, timeoutMs = 2000) {
  const t = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([fn(), new Promise((_, rej) => (timer = setTimeout(() => rej(new Error('timeout')), timeoutMs)))]);
    return { status: 'up' as const, latencyMs: Number((performance.now() - t).toFixed(3)) };
  } catch (e) {
    return { status: 'down' as const, latencyMs: Number((performance.now() - t).toFixed(3)), error: (e as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export async function healthRoutes(app: FastifyInstance, ctx: Ctx): Promise<void> {
  const snapshot = async () => {
    const [database, cache] = await Promise.all([check(() => ctx.db.ping()), check(() => ctx.cache.ping())]);
    const breakers = Object.fromEntries(ctx.metrics.breakers.map((b) => [b.name, b.state()]));
    const p = ctx.pressure?.();
    const eventLoop = { status: p?.underPressure ? ('pressure' as const) : ('ok' as const), delayMs: Number((p?.eventLoopDelayMs ?? 0).toFixed(3)) };
    return { database, cache, breakers, eventLoop, pressure: p };
  };
  app.get('/api/health', { schema: { tags: ['ops'], summary: 'Every check: database, cache, event loop, circuit breakers, memory' } }, async (_req, reply) => {
    const s = await snapshot();
    const down = s.database.status === 'down' || s.cache.status === 'down';
    const m = process.memoryUsage();
    return reply.code(down ? 503 : 200).send({
      status: down ? 'down' : 'ok',
      uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
      memory: { rssBytes: m.rss, heapUsedBytes: m.heapUsed },
      checks: { database: s.database, cache: s.cache, eventLoop: s.eventLoop },
      circuitBreakers: s.breakers,
    });
  });
  app.get('/api/health/live', { schema: { tags: ['ops'], summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));
  app.get('/api/health/ready', { schema: { tags: ['ops'], summary: 'Readiness: dependencies up, no breaker open, not under pressure' } }, async (_req, reply) => {
    const s = await snapshot();
    const why: string[] = [];
    if (s.database.status === 'down') why.push(`database: ${s.database.error}`);
    if (s.cache.status === 'down') why.push(`cache: ${s.cache.error}`);
    for (const [name, state] of Object.entries(s.breakers)) if (state === 'open') why.push(`${name} circuit open`);
    if (s.pressure?.underPressure) why.push('under pressure');
    return reply.code(why.length ? 503 : 200).send({ status: why.length ? 'not ready' : 'ready', reasons: why });
  });
}
