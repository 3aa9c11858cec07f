// Why: the read cache behind one interface: an in-process LRU with TTL by default, Redis (ioredis)
// when REDIS_URL is set. Values are JSON strings. Every Redis command goes through a circuit
// breaker and has a 1 s timeout, so a hung Redis fails fast instead of holding requests.
// (The rate limit's counters live in @fastify/rate-limit's store: wms/security/rate-limit.ts.)
import type { Redis } from 'ioredis';
import { type Breaker, createBreaker } from '../resilience/breaker.ts';

export interface Cache {
  kind: 'memory' | 'redis';
  /** Redis only: the client (the rate-limit store shares it) and its breaker. */
  redis?: Redis;
  breaker?: Breaker;
  /**
   * The value, or null. The in-process cache answers at once (a value, not a promise): a cached read
   * is then sent without a promise turn, the hottest path of a load test (issue 21). `await` takes both.
   */
  get(key: string): string | null | Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  del(keys: string[]): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class MemoryCache implements Cache {
  kind = 'memory' as const;
  private map = new Map<string, { v: string; exp: number }>();
  constructor(private maxEntries = 20_000) {}

  get(key: string): string | null {
    const e = this.map.get(key);
    if (!e) return null;
    if (e.exp <= Date.now()) {
      this.map.delete(key);
      return null;
    }
    this.map.delete(key); // move to the most-recent end
    this.map.set(key, e);
    return e.v;
  }
  async set(key: string, v: string, ttlMs: number) {
    this.map.delete(key);
    this.map.set(key, { v, exp: Date.now() + ttlMs });
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value!);
  }
  async del(keys: string[]) {
    for (const k of keys) this.map.delete(k);
  }
  async ping() {}
  async close() {
    this.map.clear();
  }
}

export async function openRedisCache(url: string, prefix: string, breakerResetMs = 5000): Promise<Cache> {
  const { Redis } = await import('ioredis');
  const r = new Redis(url, { keyPrefix: prefix, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true, commandTimeout: 1000 });
  r.on('error', () => {}); // surfaced through ping() / health instead of crashing the process
  await r.connect();
  const breaker = createBreaker('redis', { resetMs: breakerResetMs, isFailure: () => true, timeoutMs: 2000 });
  const b = breaker.run;
  return {
    kind: 'redis',
    redis: r,
    breaker,
    get: (k) => b(() => r.get(k)),
    set: async (k, v, ttl) => {
      await b(() => r.set(k, v, 'PX', ttl));
    },
    del: async (keys) => {
      if (keys.length) await b(() => r.del(...keys));
    },
    // Health asks Redis itself, past the breaker.
    ping: async () => {
      await r.ping();
    },
    close: async () => {
      breaker.shutdown();
      if (prefix.startsWith('aetos-test-')) {
        const keys = await r.keys('*').catch(() => [] as string[]);
        // keys() returns prefixed names; del() re-adds the prefix, so strip it.
        const own = keys.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
        if (own.length) await r.del(...own).catch(() => {});
      }
      r.disconnect();
    },
  };
}
