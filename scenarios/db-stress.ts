/**
 * Database stress: users who only do database-bound work — uncached searches, orders (a
 * stock-reserving transaction) and the heavy stock-summary report — so db_query_duration and
 * response_time_database show how the database holds up.
 */
import { check, group } from 'k6';
import type { Options } from 'k6/options';
import { profile } from '../lib/config.ts';
import { randomSku, think } from '../lib/journey.ts';
import { thresholdsFor } from '../lib/thresholds.ts';
import { listOrders, placeOrder, searchInventory, stockSummary } from '../lib/wms.ts';

const shape = { quick: { vus: 20, duration: '10s' }, standard: { vus: 100, duration: '3m' }, nightly: { vus: 200, duration: '15m' } }[profile()];

export const options: Options = {
  scenarios: {
    db: { executor: 'constant-vus', vus: shape.vus, duration: shape.duration },
  },
  thresholds: thresholdsFor('db-stress'),
};

export default function (): void {
  group('search', () => {
    // A fresh term each time: a cache miss, so the query reaches the database.
    const res = searchInventory(`${Math.floor(Math.random() * 1e6)}`, Math.floor(Math.random() * 50));
    check(res, { 'search is 200': (r) => r.status === 200 });
  });
  think(0.5, 1);
  group('order', () => {
    const res = placeOrder([
      { sku: randomSku(), quantity: 1 },
      { sku: randomSku(), quantity: 2 },
    ]);
    check(res, { 'order reserved or refused for stock': (r) => r.status === 201 || r.status === 409 });
    check(listOrders(), { 'orders listed': (r) => r.status === 200 });
  });
  think(0.5, 1);
  if (Math.random() < 0.2) {
    group('stock report', () => {
      check(stockSummary(), { 'report is 200': (r) => r.status === 200 });
    });
  }
  think(0.5, 1);
}
