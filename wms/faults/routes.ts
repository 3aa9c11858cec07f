// Why: fault injection at request level (latency, error rate), as a hook of the scopes it applies
// to, and the admin routes that set, read and clear faults (guarded by their scope's admin hook).
import type { FastifyInstance, FastifyReply, HookHandlerDoneFunction } from 'fastify';
import type { Ctx } from '../context.ts';

const faultBody = {
  tags: ['admin'],
  summary: 'Merge fault settings (X-Admin-Token); crash:true answers, then exits 1',
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

/** The error-rate fault: a 500 for this request, or on to the next hook. */
function failOrContinue(ctx: Ctx, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  if (ctx.faults.errorRate > 0 && Math.random() < ctx.faults.errorRate) reply.code(500).send({ error: 'injected fault' });
  else done();
}

/** Added latency and injected 500s for every route of the scope it is added to. */
export function injectFaults(app: FastifyInstance, ctx: Ctx): void {
  // callback style: without faults (the usual case) a request pays no promise or closure here
  app.addHook('onRequest', (_req, reply, done) => {
    if (ctx.faults.latencyMs > 0) setTimeout(failOrContinue, ctx.faults.latencyMs, ctx, reply, done);
    else failOrContinue(ctx, reply, done);
  });
}

export async function faultAdminRoutes(app: FastifyInstance, ctx: Ctx): Promise<void> {
  app.get('/api/admin/faults', { schema: { tags: ['admin'], summary: 'The current faults' } }, async () => ctx.faults.snapshot());
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
  app.delete('/api/admin/faults', { schema: { tags: ['admin'], summary: 'Clear every fault' } }, async () => {
    ctx.faults.clear();
    return ctx.faults.snapshot();
  });
}
