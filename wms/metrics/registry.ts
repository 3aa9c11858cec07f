// Why: one prom-client registry per service instance (not the global one), so several in-process
// targets in tests do not collide; holds every metric the contract names.
import client from 'prom-client';
import { type Breaker, stateValue } from '../resilience/breaker.ts';
import { RequestHistogram } from './request-histogram.ts';

export interface TargetMetrics {
  registry: client.Registry;
  httpDuration: RequestHistogram;
  dbDuration: client.Histogram<'query'>;
  cacheHits: client.Counter;
  cacheMisses: client.Counter;
  dbRetries: client.Counter<'query'>;
  /** 429s and 503s of the limits and guards, by reason. */
  rejected: client.Counter<'reason'>;
  /** Filled in once the database and Redis are open; read by circuit_breaker_state. */
  breakers: Breaker[];
}

export function createMetrics(leakedBytes: () => number): TargetMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const httpDuration = new RequestHistogram('http_request_duration_seconds', 'HTTP request duration in seconds', [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
  ]).register(registry);
  // The histogram's _count per label set, copied at each scrape: a request is recorded once, not
  // twice (every record hashes its labels; the cached read is the hottest route of a load test).
  new client.Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, count } of httpDuration.counts()) this.inc(labels, count);
    },
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
  const dbRetries = new client.Counter({
    name: 'db_query_retries_total',
    help: 'Idempotent reads retried after a transient database error',
    labelNames: ['query'] as const,
    registers: [registry],
  });
  const rejected = new client.Counter({
    name: 'http_rejected_total',
    help: 'Requests refused by a limit or guard (rate_limit, rate_limit_store_down, under_pressure, circuit_open)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const breakers: Breaker[] = [];
  new client.Gauge({
    name: 'circuit_breaker_state',
    help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
    labelNames: ['breaker'] as const,
    registers: [registry],
    collect() {
      for (const b of breakers) this.set({ breaker: b.name }, stateValue(b.state()));
    },
  });
  return { registry, httpDuration, dbDuration, cacheHits, cacheMisses, dbRetries, rejected, breakers };
}
