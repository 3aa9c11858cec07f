// Why: fault injection at request level (latency, error rate) and the admin endpoint that sets,
// reads and clears faults (X-Admin-Token).
import { timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../context.ts';

const faultBody = {
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      latencyMs: { type: 'number', minimum: 0, maximum: 600_000 },
      errorRate: { type: 'number', minimum: 0, maximum: 1 },
      leakMbPerMin: { type: 'number', minimum: 0, maximum: 10_000 },
      slowQueryMs: { type: 'number', minimum: 0, maximum: 600_000 },
      dbOutageSeconds: { type: 'number', minimum: 0, maximum: 86_400 },
      crash: { type: 'boolean' },
    },
  },
} as const;

export async function faultRoutes(app: FastifyInstance, ctx: Ctx): Promise<void> {
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0];
    if (!path.startsWith('/api/') || path === '/api/health' || path.startsWith('/api/admin/')) return;
    if (ctx.faults.latencyMs > 0) await sleep(ctx.faults.latencyMs);
    if (ctx.faults.errorRate > 0 && Math.random() < ctx.faults.errorRate) return reply.code(500).send({ error: 'injected fault' });
  });

  const want = Buffer.from(ctx.config.adminToken);
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/api/admin/')) return;
    const got = req.headers['x-admin-token'];
    if (typeof got !== 'string' || got === '') return reply.code(401).send({ error: 'missing X-Admin-Token' });
    const g = Buffer.from(got);
    if (g.length !== want.length || !timingSafeEqual(g, want)) return reply.code(403).send({ error: 'bad X-Admin-Token' });
  });

  app.get('/api/admin/faults', async () => ctx.faults.snapshot());
  app.post('/api/admin/faults', { schema: faultBody }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, any>;
    ctx.faults.merge(body);
    req.log.warn({ faults: body }, 'faults changed');
    if (body.crash) {
      reply.raw.once('finish', () => setTimeout(ctx.config.onCrash ?? (() => process.exit(1)), 20));
      return reply.send({ ...ctx.faults.snapshot(), crash: true });
    }
    return ctx.faults.snapshot();
  });
  app.delete('/api/admin/faults', async () => {
    ctx.faults.clear();
    return ctx.faults.snapshot();
  });
}
