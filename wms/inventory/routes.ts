// Why: cached inventory reads (list with filters/paging, one SKU) with X-Cache and Server-Timing.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addTiming, type Ctx, serverTiming, timed } from '../context.ts';

export const skuPattern = '^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$';
const SKU_TTL_MS = 30_000;
const LIST_TTL_MS = 2_000;

const listSchema = {
  tags: ['inventory'],
  summary: 'Stock, filtered and paged (cached 2 s); X-Cache HIT/MISS, Server-Timing db/cache',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      search: { type: 'string', maxLength: 100 },
      location: { type: 'string', pattern: '^[A-Za-z0-9-]{0,20}$' },
      minQty: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
      page: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
      pageSize: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    },
  },
} as const;
const skuSchema = {
  tags: ['inventory'],
  summary: 'One SKU (cached 30 s)',
  params: { type: 'object', required: ['sku'], properties: { sku: { type: 'string', pattern: skuPattern } } },
} as const;

export const skuCacheKey = (sku: string) => `inv:sku:${sku}`;
const columns = 'sku, name, location, quantity, reserved, quantity - reserved AS available';

/**
 * Answers a cached read: the JSON text stored under `key`, or what `load` finds, stored for `ttl` ms
 * and sent. The text is sent as stored (no parse and serialize per hit: the hottest route of a load
 * test, issue 21). `load` finding nothing (undefined) sends nothing and answers false. A hit in the
 * in-process cache is sent before this returns (true, not a promise): no promise turn per request.
 */
function sendCached(ctx: Ctx, req: FastifyRequest, reply: FastifyReply, key: string, ttl: number, load: () => Promise<unknown>): true | Promise<boolean> {
  const t = performance.now();
  let got: string | null | Promise<string | null>;
  try {
    got = ctx.cache.get(key);
  } catch {
    got = null; // a cache that cannot answer is a miss
  }
  if (typeof got === 'string') {
    addTiming(req, 'cache', t);
    return sendHit(ctx, req, reply, got);
  }
  if (got === null) {
    addTiming(req, 'cache', t);
    return sendMiss(ctx, req, reply, key, ttl, load);
  }
  return got.then(
    (text) => {
      addTiming(req, 'cache', t);
      return text === null ? sendMiss(ctx, req, reply, key, ttl, load) : sendHit(ctx, req, reply, text);
    },
    () => {
      addTiming(req, 'cache', t);
      return sendMiss(ctx, req, reply, key, ttl, load);
    },
  );
}

function sendHit(ctx: Ctx, req: FastifyRequest, reply: FastifyReply, text: string): true {
  ctx.metrics.cacheHits.inc();
  reply.header('X-Cache', 'HIT');
  sendJsonText(req, reply, text);
  return true;
}

async function sendMiss(ctx: Ctx, req: FastifyRequest, reply: FastifyReply, key: string, ttl: number, load: () => Promise<unknown>): Promise<boolean> {
  ctx.metrics.cacheMisses.inc();
  const value = await timed(req, 'db', load);
  if (value === undefined) return false;
  const json = JSON.stringify(value);
  await timed(req, 'cache', () => ctx.cache.set(key, json, ttl).catch(() => {}));
  reply.header('X-Cache', 'MISS');
  sendJsonText(req, reply, json);
  return true;
}

function sendJsonText(req: FastifyRequest, reply: FastifyReply, text: string): void {
  serverTiming(req, reply);
  reply.type('application/json; charset=utf-8').send(text);
}

export async function inventoryRoutes(app: FastifyInstance, ctx: Ctx): Promise<void> {
  // Both routes send before they return on an in-process cache hit, and then return nothing
  // (fastify sends what a handler returns unless it is undefined, and takes a returned reply for a
  // promise to wait on); else the promise of the miss, resolved once it has sent.
  app.get('/api/inventory', { schema: listSchema }, (req, reply) => {
    const q = req.query as { search?: string; location?: string; minQty?: number; page: number; pageSize: number };
    const key = `inv:list:${JSON.stringify([q.search ?? '', q.location ?? '', q.minQty ?? '', q.page, q.pageSize])}`;
    const sent = sendCached(ctx, req, reply, key, LIST_TTL_MS, async () => {
      const where: string[] = [];
      const params: unknown[] = [];
      if (q.search) {
        params.push(`%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
        where.push(`(sku ILIKE $${params.length} OR name ILIKE $${params.length})`);
      }
      if (q.location) {
        params.push(`${q.location}%`);
        where.push(`location LIKE $${params.length}`);
      }
      if (q.minQty !== undefined) {
        params.push(q.minQty);
        where.push(`quantity - reserved >= $${params.length}`);
      }
      const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = await ctx.db.read<{ n: number }>('inventory_count', `SELECT count(*)::int AS n FROM stock ${w}`, params);
      const items = await ctx.db.read(
        'inventory_list',
        `SELECT ${columns} FROM stock ${w} ORDER BY sku LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, q.pageSize, (q.page - 1) * q.pageSize],
      );
      return { items: items.rows, page: q.page, pageSize: q.pageSize, total: total.rows[0].n };
    });
    if (sent !== true) return sent.then(() => {});
  });

  app.get('/api/inventory/:sku', { schema: skuSchema }, (req, reply) => {
    const { sku } = req.params as { sku: string };
    const sent = sendCached(ctx, req, reply, skuCacheKey(sku), SKU_TTL_MS, async () => {
      const { rows } = await ctx.db.read('inventory_item', `SELECT ${columns} FROM stock WHERE sku = $1`, [sku]);
      return rows[0];
    });
    if (sent !== true)
      return sent.then((found) => {
        if (!found) reply.code(404).send({ error: 'sku not found', sku });
      });
  });
}
