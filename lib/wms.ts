/**
 * A typed AetosWMS client for scenarios: one function per endpoint, each request named (`name`
 * tag) so URLs with ids group into one series, authenticated as this VU's user, and recorded into
 * the guide's metrics (lib/metrics.ts).
 */
import http from 'k6/http';
import { authorized } from './auth.ts';
import { baseUrl } from './config.ts';
import { evidenceMissing, evidenceSeen, firstVu } from './evidence.ts';
import { record } from './metrics.ts';

export interface InventoryItem {
  sku: string;
  name: string;
  location: string;
  quantity: number;
  reserved: number;
  available: number;
}

export interface InventoryPage {
  items: InventoryItem[];
  page: number;
  pageSize: number;
  total: number;
}

/** A 409 (not enough stock) is a normal business answer to an order, not a failed request. */
const orderStatuses = http.expectedStatuses(201, 409);

export function sku(n: number): string {
  return `SKU-${String(n).padStart(6, '0')}`;
}

export function listInventory(page: number, pageSize = 50) {
  const res = authorized((headers) =>
    http.get(`${baseUrl()}/api/inventory?page=${page}&pageSize=${pageSize}`, { headers, tags: { name: 'inventory_list' } }),
  );
  record(res, 'inventory_list');
  return res;
}

/** A filtered search: each distinct term misses the cache, so it is database-bound. */
export function searchInventory(search: string, minQty = 0) {
  const res = authorized((headers) =>
    http.get(`${baseUrl()}/api/inventory?search=${encodeURIComponent(search)}&minQty=${minQty}&page=1&pageSize=20`, {
      headers,
      tags: { name: 'inventory_search' },
    }),
  );
  record(res, 'inventory_search');
  return res;
}

export function getItem(code: string) {
  const res = authorized((headers) => http.get(`${baseUrl()}/api/inventory/${code}`, { headers, tags: { name: 'inventory_item' } }));
  record(res, 'inventory_item');
  return res;
}

export function placeOrder(lines: { sku: string; quantity: number }[]) {
  const res = authorized((headers) =>
    http.post(`${baseUrl()}/api/orders`, JSON.stringify({ lines }), {
      headers: { ...headers, 'Content-Type': 'application/json' },
      tags: { name: 'order_create' },
      responseCallback: orderStatuses,
    }),
  );
  record(res, 'order_create');
  return res;
}

export function listOrders() {
  const res = authorized((headers) => http.get(`${baseUrl()}/api/orders?status=reserved`, { headers, tags: { name: 'order_list' } }));
  record(res, 'order_list');
  return res;
}

export function stockSummary() {
  const res = authorized((headers) => http.get(`${baseUrl()}/api/reports/stock-summary`, { headers, tags: { name: 'stock_summary' } }));
  record(res, 'stock_summary');
  return res;
}

export function me() {
  const res = authorized((headers) => http.get(`${baseUrl()}/api/auth/me`, { headers, tags: { name: 'me' } }));
  record(res, 'me');
  return res;
}

/** Multipart upload of `data` as the `file` field; answers {filename, size, sha256}. */
export function upload(data: string | ArrayBuffer, filename: string) {
  const res = authorized((headers) =>
    http.post(`${baseUrl()}/api/uploads`, { file: http.file(data, filename, 'application/octet-stream') }, {
      headers,
      tags: { name: 'upload' },
      timeout: '60s',
    }),
  );
  // Not recorded into the cached/database split: a file transfer has its own criterion (< 5 s).
  if (res.status >= 200 && res.status < 300) evidenceSeen('http_req_duration{name:upload}');
  else if (firstVu()) evidenceMissing('http_req_duration{name:upload}', `no completed upload yet: the first answered ${res.status === 0 ? `nothing (${res.error})` : `HTTP ${res.status}`}`);
  return res;
}

/** Unauthenticated health probe (503 when a dependency is down). */
export function health() {
  return http.get(`${baseUrl()}/api/health`, { tags: { name: 'health' } });
}

/** The target's /metrics answer (Prometheus text); not part of the measured traffic. */
export function metricsScrape() {
  return http.get(`${baseUrl()}/metrics`, { tags: { name: 'metrics_scrape' } });
}

/** The target's Prometheus text ('' when /metrics does not answer 200). */
export function prometheusText(): string {
  const res = metricsScrape();
  return res.status === 200 ? String(res.body) : '';
}
