// Why: /metrics in Prometheus text, and the root hook that records every request's duration by route.
import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../context.ts';

/** Added at the root so it sees every scope's requests, 404s included. */
export function recordRequests(app: FastifyInstance, ctx: Ctx): void {
  // callback style: no promise per request
  app.addHook('onResponse', (req, reply, done) => {
    // http_requests_total is this histogram's count (registry.ts)
    ctx.metrics.httpDuration.observe(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

export async function metricsRoutes(app: FastifyInstance, ctx: Ctx): Promise<void> {
  app.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus metrics (process, HTTP, db, cache, circuit breakers)' } }, async (_req, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
