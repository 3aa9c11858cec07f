// Why: orders reserve stock in one transaction with conditional UPDATEs (row-locked by Postgres),
// so stock is never oversold under any concurrency; the SKUs' cache entries are dropped after.
import type { FastifyInstance } from 'fastify';
import { type Ctx, serverTiming, timed } from '../context.ts';
import { skuCacheKey, skuPattern } from '../inventory/routes.ts';

const createSchema = {
  tags: ['orders'],
  summary: 'Reserve stock for an order (one transaction; 409 when stock is short, 404 for an unknown SKU)',
  body: {
    type: 'object',
    required: ['lines'],
    additionalProperties: false,
    properties: {
      lines: {
        type: 'array',
        minItems: 1,
        maxItems: 100,
        items: {
          type: 'object',
          required: ['sku', 'quantity'],
          additionalProperties: false,
          properties: { sku: { type: 'string', pattern: skuPattern }, quantity: { type: 'integer', minimum: 1, maximum: 1_000_000 } },
        },
      },
    },
  },
} as const;
const idSchema = { tags: ['orders'], summary: 'One of your orders', params: { type: 'object', properties: { id: { type: 'integer', minimum: 1, maximum: 2147483647 } } } } as const;
const listSchema = {
  tags: ['orders'],
  summary: 'Your orders, newest first',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      status: { type: 'string', enum: ['reserved', 'cancelled', 'shipped'] },
      page: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
      pageSize: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    },
  },
} as const;

class OrderRejected extends Error {
  constructor(public code: number, public body: Record<string, unknown>) {
    super(String(body.error));
  }
}

export async function orderRoutes(app: FastifyInstance, ctx: Ctx): Promise<void> {
  app.post('/api/orders', { schema: createSchema }, async (req, reply) => {
    const merged = new Map<string, number>();
    for (const l of (req.body as { lines: { sku: string; quantity: number }[] }).lines) merged.set(l.sku, (merged.get(l.sku) ?? 0) + l.quantity);
    const lines = [...merged].sort(([a], [b]) => (a < b ? -1 : 1)).map(([sku, quantity]) => ({ sku, quantity }));
    try {
      const order = await timed(req, 'db', () =>
        ctx.db.tx(async (q) => {
          for (const l of lines) {
            const r = await q.query(
              'order_reserve',
              'UPDATE stock SET reserved = reserved + $2 WHERE sku = $1 AND quantity - reserved >= $2',
              [l.sku, l.quantity],
            );
            if (r.rowCount === 1) continue;
            const exists = await q.query('order_sku_exists', 'SELECT 1 FROM stock WHERE sku = $1', [l.sku]);
            throw exists.rows.length
              ? new OrderRejected(409, { error: 'insufficient stock', sku: l.sku })
              : new OrderRejected(404, { error: 'unknown sku', sku: l.sku });
          }
          const o = await q.query<{ id: number; created_at: Date }>(
            'order_insert',
            `INSERT INTO orders (user_id, status) VALUES ($1, 'reserved') RETURNING id, created_at`,
            [req.user!.id],
          );
          const id = o.rows[0].id;
          await q.query(
            'order_lines_insert',
            'INSERT INTO order_lines (order_id, sku, quantity) SELECT $1, * FROM unnest($2::text[], $3::int[])',
            [id, lines.map((l) => l.sku), lines.map((l) => l.quantity)],
          );
          return { id, status: 'reserved', lines, createdAt: new Date(o.rows[0].created_at).toISOString() };
        }),
      );
      await timed(req, 'cache', () => ctx.cache.del(lines.map((l) => skuCacheKey(l.sku))).catch(() => {}));
      serverTiming(req, reply);
      return reply.code(201).send(order);
    } catch (e) {
      if (!(e instanceof OrderRejected)) throw e;
      serverTiming(req, reply);
      return reply.code(e.code).send(e.body);
    }
  });

  const withLines = async (req: any, orders: { id: number; status: string; created_at: Date }[]) => {
    if (!orders.length) return [];
    const { rows } = await timed(req, 'db', () =>
      ctx.db.read<{ order_id: number; sku: string; quantity: number }>(
        'order_lines_get',
        'SELECT order_id, sku, quantity FROM order_lines WHERE order_id = ANY($1::int[]) ORDER BY sku',
        [orders.map((o) => o.id)],
      ),
    );
    return orders.map((o) => ({
      id: o.id,
      status: o.status,
      createdAt: new Date(o.created_at).toISOString(),
      lines: rows.filter((r) => r.order_id === o.id).map((r) => ({ sku: r.sku, quantity: r.quantity })),
    }));
  };

  app.get('/api/orders/:id', { schema: idSchema }, async (req, reply) => {
    const { id } = req.params as { id: number };
    const { rows } = await timed(req, 'db', () =>
      ctx.db.read<any>('order_get', 'SELECT id, status, created_at FROM orders WHERE id = $1 AND user_id = $2', [id, req.user!.id]),
    );
    serverTiming(req, reply);
    if (!rows.length) return reply.code(404).send({ error: 'order not found' });
    return (await withLines(req, rows))[0];
  });

  app.get('/api/orders', { schema: listSchema }, async (req, reply) => {
    const q = req.query as { status?: string; page: number; pageSize: number };
    const params: unknown[] = [req.user!.id];
    let w = 'WHERE user_id = $1';
    if (q.status) {
      params.push(q.status);
      w += ' AND status = $2';
    }
    const total = await timed(req, 'db', () => ctx.db.read<{ n: number }>('orders_count', `SELECT count(*)::int AS n FROM orders ${w}`, params));
    const page = await timed(req, 'db', () =>
      ctx.db.read<any>(
        'orders_list',
        `SELECT id, status, created_at FROM orders ${w} ORDER BY id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, q.pageSize, (q.page - 1) * q.pageSize],
      ),
    );
    const items = await withLines(req, page.rows);
    serverTiming(req, reply);
    return { items, page: q.page, pageSize: q.pageSize, total: total.rows[0].n };
  });
}
