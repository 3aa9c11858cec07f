// Why: the shared pieces every route plugin receives (config, db, cache, faults, metrics) and the
// Server-Timing helper, declared once.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Cache } from './cache/index.ts';
import type { TargetConfig } from './config.ts';
import type { Db } from './db/index.ts';
import type { FaultState } from './faults/state.ts';
import type { TargetMetrics } from './metrics/registry.ts';

export interface Ctx {
  config: TargetConfig;
  db: Db;
  cache: Cache;
  faults: FaultState;
  metrics: TargetMetrics;
  startedAt: number;
  /** Back-pressure readings (@fastify/under-pressure of the guarded scope), set once it is registered. */
  pressure?: () => PressureReading;
}

export interface PressureReading {
  eventLoopDelayMs: number;
  heapUsedBytes: number;
  rssBytes: number;
  underPressure: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    user?: { id: number; username: string; role: string };
    /** Time spent in the database and the cache, ms; created by the first timed() of a request. */
    timing: { db: number; cache: number } | null;
  }
}

/** Runs fn and adds its duration (ms) to the request's db or cache timing. */
export async function timed<T>(req: FastifyRequest, kind: 'db' | 'cache', fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await fn();
  } finally {
    addTiming(req, kind, t);
  }
}

/** Adds the time since `since` (a performance.now()) to the request's db or cache timing. */
export function addTiming(req: FastifyRequest, kind: 'db' | 'cache', since: number): void {
  // created here, not by a hook on every request: most requests (health, metrics) time nothing
  const timing = (req.timing ??= { db: 0, cache: 0 });
  timing[kind] += performance.now() - since;
}

export function serverTiming(req: FastifyRequest, reply: FastifyReply): void {
  const { db = 0, cache = 0 } = req.timing ?? {};
  reply.header('Server-Timing', `db;dur=${db.toFixed(3)}, cache;dur=${cache.toFixed(3)}`);
}

export const errorSchema = { type: 'object', properties: { error: { type: 'string' } } } as const;
