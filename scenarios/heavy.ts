/**
 * Heavy load: 200 warehouse users at once (the guide: "should pass with < 5 % failures").
 * Each user browses inventory, looks up SKUs, sometimes places an order or opens the stock report,
 * with think time between steps as a person would.
 */
import { check, group, sleep } from 'k6';
import type { Options } from 'k6/options';
import { rampHoldStages } from '../lib/profiles.ts';
import { thresholdsFor } from '../lib/thresholds.ts';
import { getItem, listInventory, listOrders, placeOrder, sku, stockSummary } from '../lib/wms.ts';

export const options: Options = {
  scenarios: {
    heavy: { executor: 'ramping-vus', startVUs: 0, stages: rampHoldStages(200), gracefulRampDown: '10s' },
  },
  thresholds: thresholdsFor('heavy'),
};

const skuCount = Number(__ENV.SEED_SKUS || 2000);
const think = (min: number, max: number) => sleep(min + Math.random() * (max - min));

export default function (): void {
  group('browse inventory', () => {
    const res = listInventory(1 + Math.floor(Math.random() * 20));
    check(res, { 'inventory page is 200': (r) => r.status === 200 });
  });
  think(1, 2);

  group('look up SKUs', () => {
    for (let i = 0; i < 2; i++) {
      const res = getItem(sku(1 + Math.floor(Math.random() * skuCount)));
      check(res, { 'SKU found': (r) => r.status === 200 });
      think(0.5, 1);
    }
  });

  if (Math.random() < 0.3) {
    group('place an order', () => {
      const res = placeOrder([{ sku: sku(1 + Math.floor(Math.random() * skuCount)), quantity: 1 }]);
      check(res, { 'order reserved or refused for stock': (r) => r.status === 201 || r.status === 409 });
      listOrders();
    });
    think(1, 2);
  }

  if (Math.random() < 0.03) {
    group('stock report', () => {
      check(stockSummary(), { 'report is 200': (r) => r.status === 200 });
    });
  }
  think(1, 3);
}
