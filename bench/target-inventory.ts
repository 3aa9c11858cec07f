// Why: measures the reference target's throughput on its hottest cached read
// (GET /api/inventory/:sku, PGlite + in-process cache, rate limit off) and on the uncached
// report, with autocannon -c 50 against a child-process target.
// Run: npx tsx bench/target-inventory.ts
// Env: RATE_LIMIT_PER_MINUTE (default 0 = limiter off; a huge value measures the limiter's cost),
// BENCH_CACHED_ONLY=1 (only the cached route: the before/after comparison of the hardening).
// @ts-expect-error autocannon ships no type declarations
import autocannon from 'autocannon';
import { spawnTarget } from '../wms/spawn.ts';
import { userToken } from './target-login.ts';

const t = await spawnTarget({ env: { RATE_LIMIT_PER_MINUTE: process.env.RATE_LIMIT_PER_MINUTE ?? '0' } });
try {
  const token = await userToken(t.url);
  for (const [name, path, duration] of [
    ['GET /api/inventory/:sku (cached)', '/api/inventory/SKU-000001', 5],
    ['GET /api/inventory?page=1 (2 s list cache)', '/api/inventory?page=1&pageSize=50', 5],
    ['GET /api/reports/stock-summary (uncached, 2000 SKUs)', '/api/reports/stock-summary', 5],
  ] as const) {
    if (process.env.BENCH_CACHED_ONLY === '1' && !name.includes('(cached')) continue;
    const r: any = await autocannon({ url: `${t.url}${path}`, connections: 50, duration, headers: { authorization: `Bearer ${token}` } });
    console.log(`${name}: ${r.requests.average.toFixed(0)} req/s avg, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}`);
  }
} finally {
  await t.stop();
}
