/**
 * The warehouse user's journey shared by light, medium, heavy and stress: browse inventory, look
 * up SKUs, sometimes search, place an order or open the stock report, with a person's think time.
 * About 5 requests per ~6 s iteration, so a VU stays well under the 100 requests/minute limit.
 */
import { check, group, sleep } from 'k6';
import { getItem, listInventory, listOrders, placeOrder, searchInventory, sku, stockSummary } from './wms.ts';

const skuCount = Number(__ENV.SEED_SKUS || 2000);

export const think = (min: number, max: number): void => sleep(min + Math.random() * (max - min));
export const randomSku = (): string => sku(1 + Math.floor(Math.random() * skuCount));

export function warehouseJourney(): void {
  group('browse inventory', () => {
    const res = listInventory(1 + Math.floor(Math.random() * 20));
    check(res, { 'inventory page is 200': (r) => r.status === 200 });
  });
  think(0.5, 1.5);

  group('look up SKUs', () => {
    for (let i = 0; i < 2; i++) {
      check(getItem(randomSku()), { 'SKU found': (r) => r.status === 200 });
      think(0.3, 0.8);
    }
  });

  if (Math.random() < 0.2) {
    group('search', () => {
      check(searchInventory(`Item ${Math.floor(Math.random() * 200)}`), { 'search is 200': (r) => r.status === 200 });
    });
  }

  if (Math.random() < 0.3) {
    group('place an order', () => {
      const res = placeOrder([{ sku: randomSku(), quantity: 1 }]);
      check(res, { 'order reserved or refused for stock': (r) => r.status === 201 || r.status === 409 });
      listOrders();
    });
    think(0.5, 1.5);
  }

  if (Math.random() < 0.03) {
    group('stock report', () => {
      check(stockSummary(), { 'report is 200': (r) => r.status === 200 });
    });
  }
  think(1, 2);
}
