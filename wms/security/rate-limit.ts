// Why: the guide's 100 requests/minute per user, with @fastify/rate-limit's counters: its Redis store
// when REDIS_URL is set (shared by every instance, counters expire with their window, nothing to
// evict), its in-memory LRU otherwise. Authenticated routes count per user id; login counts per
// address + username, and per address over all usernames, so a flood of made-up names stops at
// that cap long before it could push real counters out of the LRU (whose size is 10× the cap).
// When the store cannot answer, requests are refused (503, fail CLOSED), never waved through.
// Headers follow the IETF draft (RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset; Retry-After on 429).
import { createRequire } from 'node:module';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Ctx } from '../context.ts';
import { BreakerOpenError } from '../resilience/breaker.ts';

type StoreCb = (err: Error | null, res?: { current: number; ttl: number }) => void;
interface PluginStore {
  incr(key: string, cb: StoreCb, timeWindow: number, max: number): void;
  child(params: Record<string, unknown>): PluginStore;
}

const require = createRequire(import.meta.url);
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as new (ce: boolean, eb: boolean, entries: number) => PluginStore;
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as new (ce: boolean, eb: boolean, redis: unknown, ns: string) => PluginStore;

/** The plugin's store, with Redis calls run through the Redis circuit breaker. */
function guardedStore(inner: PluginStore, ctx: Ctx): PluginStore {
  const breaker = ctx.cache.breaker;
  return {
    incr(key, cb, timeWindow, max) {
      if (!breaker) return inner.incr(key, cb, timeWindow, max);
      breaker
        .run(() => new Promise<{ current: number; ttl: number }>((resolve, reject) => inner.incr(key, (e, r) => (e ? reject(e) : resolve(r!)), timeWindow, max)))
        .then((r) => cb(null, r), (e) => cb(e));
    },
    // Each limiter gets its own key space: the plugin names a child by route, ours by `limiter`.
    child: (params) => guardedStore(inner.child({ ...params, routeInfo: { method: '', url: String(params.limiter) } }), ctx),
  };
}

export type LimiterName = 'user' | 'login-ip' | 'login-user';

export interface RateLimits {
  /** Counts one request under `key`; answers 429/503 itself and returns false when the request must stop. */
  enforce(limiter: LimiterName, req: FastifyRequest, reply: FastifyReply, key: string): Promise<boolean>;
  /** The same as an onRequest hook, keyed by `keyOf(req)`; with the limit off it costs no promise. */
  hook(limiter: LimiterName, keyOf: (req: FastifyRequest) => string): onRequestHookHandler;
}

declare module 'fastify' {
  interface FastifyRequest {
    rateLimitKey: string;
  }
}

export async function registerRateLimits(app: FastifyInstance, ctx: Ctx): Promise<RateLimits> {
  const base = ctx.cache.redis
    ? new RedisStore(false, false, ctx.cache.redis, 'rl:')
    : new LocalStore(false, false, ctx.config.rateLimitStoreEntries);
  const store = guardedStore(base, ctx);
  await app.register(rateLimit, {
    global: false,
    enableDraftSpec: true,
    skipOnError: false,
    // The plugin does `new Store(options)`; a constructor that returns an object yields that object.
    store: function Store() {
      return store;
    } as any,
  });
  app.decorateRequest('rateLimitKey', '');
  const maxOf: Record<LimiterName, () => number> = {
    user: () => ctx.config.rateLimitPerMinute,
    'login-user': () => ctx.config.rateLimitPerMinute,
    'login-ip': () => ctx.config.loginPerIpPerMinute,
  };
  const limiters = Object.fromEntries(
    (Object.keys(maxOf) as LimiterName[]).map((name) => [
      name,
      app.createRateLimit({
        timeWindow: 60_000,
        max: () => maxOf[name](),
        keyGenerator: (req: FastifyRequest) => req.rateLimitKey,
        cache: ctx.config.rateLimitStoreEntries,
        limiter: name,
      } as any),
    ]),
  ) as Record<LimiterName, ReturnType<FastifyInstance['createRateLimit']>>;

  const limits: RateLimits = {
    async enforce(name, req, reply, key) {
      if (maxOf[name]() <= 0) return true; // 0 turns the limit off (benchmarks)
      req.rateLimitKey = `${name}:${key}`;
      let r: Awaited<ReturnType<(typeof limiters)[LimiterName]>>;
      try {
        r = await limiters[name](req);
      } catch (e) {
        ctx.metrics.rejected.inc({ reason: 'rate_limit_store_down' });
        const retry = e instanceof BreakerOpenError ? e.retryAfterSeconds : 5;
        req.log.warn({ err: e }, 'rate-limit store unavailable: refusing the request');
        reply.code(503).header('Retry-After', String(retry)).send({ error: 'rate limit store unavailable, request refused', retryAfterSeconds: retry });
        return false;
      }
      if (r.isAllowed) return true;
      reply.header('RateLimit-Limit', r.max).header('RateLimit-Remaining', r.remaining).header('RateLimit-Reset', r.ttlInSeconds);
      if (!r.isExceeded) return true;
      ctx.metrics.rejected.inc({ reason: 'rate_limit' });
      const retry = Math.max(1, r.ttlInSeconds);
      reply.code(429).header('Retry-After', String(retry)).send({ error: 'rate limit exceeded', retryAfterSeconds: retry });
      return false;
    },
    hook: (name, keyOf) => (req, reply, done) => {
      if (maxOf[name]() <= 0) return done();
      // a refused request has its answer sent by enforce: the chain stops there (done is not called)
      limits.enforce(name, req, reply, keyOf(req)).then((allowed) => allowed && done(), done);
    },
  };
  return limits;
}
