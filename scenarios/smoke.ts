/**
 * Smoke: one user checks that the system answers at all (health, login, a cached read). Run it
 * first; if it fails, nothing else is worth running.
 */
import http from 'k6/http';
import { check, sleep } from 'k6';
import type { Options } from 'k6/options';
import { baseUrl } from '../lib/config.ts';
import { thresholdsFor } from '../lib/thresholds.ts';
import { getItem, sku } from '../lib/wms.ts';

export const options: Options = {
  vus: 1,
  iterations: 5,
  thresholds: thresholdsFor('smoke'),
};

export default function (): void {
  const res = http.get(`${baseUrl()}/api/health`, { tags: { name: 'health' } });
  check(res, { 'health is 200': (r) => r.status === 200 });
  check(getItem(sku(1)), { 'SKU-000001 found': (r) => r.status === 200 });
  sleep(0.2);
}
