// Why: liveness + dependency checks (database, cache) with latency, uptime and memory; 503 when a
// dependency is down. No auth.
import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../context.ts';

async function check(fn: () => Promise<void>, timeoutMs = 2000) {
  const t = performance.now();
  try {
    await Promise.race([fn(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), timeoutMs).unref())]);
    return { status: 'up' as const, latencyMs: Number((performance.now() - t).toFixed(3)) };
  } catch (e) {
    return { status: 'down' as const, latencyMs: Number((performance.now() - t).toFixed(3)), error: (e as Error).message };
  }
}

export async function healthRoutes(app: FastifyInstance, ctx: Ctx): Promise<void> {
  app.get('/api/health', async (_req, reply) => {
    const [database, cache] = await Promise.all([check(() => ctx.db.ping()), check(() => ctx.cache.ping())]);
    const down = database.status === 'down' || cache.status === 'down';
    const m = process.memoryUsage();
    return reply.code(down ? 503 : 200).send({
      status: down ? 'down' : 'ok',
      uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
      memory: { rssBytes: m.rss, heapUsedBytes: m.heapUsed },
      checks: { database, cache },
    });
  });
}
