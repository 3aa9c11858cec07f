// Why: the read cache and rate-limit counters behind one interface: an in-process LRU with TTL by
// default, Redis (ioredis) when REDIS_URL is set. Values are JSON strings.
export interface Cache {
  kind: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  del(keys: string[]): Promise<void>;
  /** Increments a counter that expires ttlMs after its first increment; returns the new value. */
  incr(key: string, ttlMs: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class MemoryCache implements Cache {
  kind = 'memory' as const;
  private map = new Map<string, { v: string; exp: number }>();
  constructor(private maxEntries = 20_000) {}

  async get(key: string) {
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
  async incr(key: string, ttlMs: number) {
    const now = Date.now();
    const e = this.map.get(key);
    if (!e || e.exp <= now) {
      await this.set(key, '1', ttlMs);
      return 1;
    }
    e.v = String(Number(e.v) + 1);
    return Number(e.v);
  }
  async ping() {}
  async close() {
    this.map.clear();
  }
}

export async function openRedisCache(url: string, prefix: string): Promise<Cache> {
  const { Redis } = await import('ioredis');
  const r = new Redis(url, { keyPrefix: prefix, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  r.on('error', () => {}); // surfaced through ping() / health instead of crashing the process
  await r.connect();
  return {
    kind: 'redis',
    get: (k) => r.get(k),
    set: async (k, v, ttl) => {
      await r.set(k, v, 'PX', ttl);
    },
    del: async (keys) => {
      if (keys.length) await r.del(...keys);
    },
    incr: async (k, ttl) => {
      const n = await r.incr(k);
      if (n === 1) await r.pexpire(k, ttl);
      return n;
    },
    ping: async () => {
      await r.ping();
    },
    close: async () => {
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
