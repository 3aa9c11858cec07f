// Why: a deliberately heavy aggregate (join of all stock with all order lines, grouped by zone and
// location) to stress the database.
import type { FastifyInstance } from 'fastify';
import { type Ctx, serverTiming, timed } from '../context.ts';

export async function reportRoutes(app: FastifyInstance, ctx: Ctx): Promise<void> {
  app.get('/api/reports/stock-summary', { schema: { tags: ['reports'], summary: 'Stock by zone and location joined with every order line (deliberately heavy, uncached)' } }, async (req, reply) => {
    const { rows } = await timed(req, 'db', () =>
      ctx.db.read<any>(
        'report_stock_summary',
        `WITH ordered AS (
           SELECT ol.sku, sum(ol.quantity)::bigint AS ordered, count(DISTINCT ol.order_id)::int AS orders
           FROM order_lines ol JOIN orders o ON o.id = ol.order_id
           GROUP BY ol.sku)
         SELECT split_part(s.location, '-', 1) AS zone, s.location,
                count(*)::int AS skus, sum(s.quantity)::bigint AS quantity, sum(s.reserved)::bigint AS reserved,
                sum(s.quantity - s.reserved)::bigint AS available,
                coalesce(sum(od.ordered), 0)::bigint AS ordered, coalesce(sum(od.orders), 0)::int AS orders
         FROM stock s LEFT JOIN ordered od ON od.sku = s.sku
         GROUP BY ROLLUP (split_part(s.location, '-', 1), s.location)
         ORDER BY zone NULLS LAST, location NULLS FIRST`,
      ),
    );
    const zones: any[] = [];
    let totals: any = null;
    for (const r of rows) {
      const n = { skus: r.skus, quantity: Number(r.quantity), reserved: Number(r.reserved), available: Number(r.available), ordered: Number(r.ordered), orders: r.orders };
      if (r.zone === null) totals = n;
      else if (r.location === null) zones.push({ zone: r.zone, ...n, locations: [] });
      else zones[zones.length - 1].locations.push({ location: r.location, ...n });
    }
    serverTiming(req, reply);
    return { zones, totals, generatedAt: new Date().toISOString() };
  });
}
