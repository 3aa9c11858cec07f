// Why: /metrics in Prometheus text and the hook that records every request's duration by route.
import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../context.ts';

export async function metricsRoutes(app: FastifyInstance, ctx: Ctx): Promise<void> {
  app.addHook('onResponse', async (req, reply) => {
    const labels = { method: req.method, route: req.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) };
    ctx.metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    ctx.metrics.httpTotal.inc(labels);
  });
  app.get('/metrics', async (_req, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
