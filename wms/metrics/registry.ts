// Why: one prom-client registry per service instance (not the global one), so several in-process
// targets in tests do not collide; holds every metric the contract names.
import client from 'prom-client';

export interface TargetMetrics {
  registry: client.Registry;
  httpDuration: client.Histogram<'method' | 'route' | 'status_code'>;
  httpTotal: client.Counter<'method' | 'route' | 'status_code'>;
  dbDuration: client.Histogram<'query'>;
  cacheHits: client.Counter;
  cacheMisses: client.Counter;
}

export function createMetrics(leakedBytes: () => number): TargetMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const httpDuration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const httpTotal = new client.Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  });
  const dbDuration = new client.Histogram({
    name: 'db_query_duration_seconds',
    help: 'Database query duration in seconds',
    labelNames: ['query'] as const,
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const cacheHits = new client.Counter({ name: 'cache_hits_total', help: 'Cache hits', registers: [registry] });
  const cacheMisses = new client.Counter({ name: 'cache_misses_total', help: 'Cache misses', registers: [registry] });
  new client.Gauge({
    name: 'cache_hit_ratio',
    help: 'cache hits / (hits + misses) since start',
    registers: [registry],
    async collect() {
      const h = (await cacheHits.get()).values[0]?.value ?? 0;
      const m = (await cacheMisses.get()).values[0]?.value ?? 0;
      this.set(h + m === 0 ? 0 : h / (h + m));
    },
  });
  new client.Gauge({
    name: 'target_leaked_bytes',
    help: 'Bytes retained by the memory-leak fault',
    registers: [registry],
    collect() {
      this.set(leakedBytes());
    },
  });
  return { registry, httpDuration, httpTotal, dbDuration, cacheHits, cacheMisses };
}
