/**
 * The health check as a library: `runHealthCheck(ctx)` runs every check against one
 * deployment and scores it. The CLI (cli.ts) resolves the target and prints; tests and other
 * tools call this directly.
 */
import { joinUrl, probe } from '../shared/http-probe.ts';
import {
  apiCheck,
  authChecks,
  containerCheck,
  dependencyViaApi,
  endpointChecks,
  frontendCheck,
  postgresDirectCheck,
  redisDirectCheck,
  resourceChecks,
  responseTimeChecks,
  type HealthContext,
} from './checks.ts';
import { REQUIRED_SCORE, healthScore, verdictOf } from './score.ts';
import type { HealthReport } from './types.ts';

export type { HealthContext } from './checks.ts';
export type { CheckResult, HealthReport } from './types.ts';

export interface HealthOptions extends Partial<HealthContext> {
  url: string;
  embedded?: boolean;
  /** CPU sample length, ms (default 1000). */
  cpuSampleMs?: number;
}

/** Fills the defaults: test user from HEALTH_USER / HEALTH_PASSWORD, datastores from DATABASE_URL / REDIS_URL. */
export function healthContext(opts: HealthOptions, env: NodeJS.ProcessEnv = process.env): HealthContext {
  return {
    url: opts.url.replace(/\/+$/, ''),
    timeoutMs: opts.timeoutMs ?? 10_000,
    user: opts.user ?? env.HEALTH_USER ?? 'user0001',
    password: opts.password ?? env.HEALTH_PASSWORD ?? 'Passw0rd!',
    databaseUrl: opts.databaseUrl ?? (env.DATABASE_URL || undefined),
    redisUrl: opts.redisUrl ?? (env.REDIS_URL || undefined),
    dockerSocket: opts.dockerSocket,
    diskPath: opts.diskPath ?? process.cwd(),
    sku: opts.sku ?? env.HEALTH_SKU ?? 'SKU-000001',
  };
}

/** Thrown when neither the API nor the frontend answers at all: exit 2, one line. */
export class TargetUnreachable extends Error {
  constructor(readonly url: string, readonly detail: string) {
    super(`cannot reach the target at ${url}: ${detail}`);
    this.name = 'TargetUnreachable';
  }
}

export async function runHealthCheck(opts: HealthOptions): Promise<HealthReport> {
  const ctx = healthContext(opts);
  const startedAt = new Date();
  const t0 = performance.now();

  // Local readings first, while nothing of ours loads the machine: the CPU sample takes ~1 s.
  const localP = Promise.all([
    resourceChecks(ctx.diskPath, opts.cpuSampleMs ?? 1000),
    containerCheck(ctx.dockerSocket, ctx.timeoutMs),
    postgresDirectCheck(ctx.databaseUrl, ctx.timeoutMs),
    redisDirectCheck(ctx.redisUrl, ctx.timeoutMs),
  ]);
  const [resources, containers, pgDirect, redisDirect] = await localP;

  const [health, front] = await Promise.all([
    probe(joinUrl(ctx.url, '/api/health'), { timeoutMs: ctx.timeoutMs }),
    probe(joinUrl(ctx.url, '/'), { timeoutMs: ctx.timeoutMs }),
  ]);
  if (!health.reached && !front.reached) throw new TargetUnreachable(ctx.url, health.error ?? 'no answer');

  const auth = await authChecks(ctx);
  const endpoints = await endpointChecks(ctx, auth.token);
  const times = await responseTimeChecks(ctx, auth.token);

  const checks = [
    apiCheck(health),
    frontendCheck(front),
    dependencyViaApi('database.api', ['database', 'db', 'postgres'], health),
    pgDirect,
    dependencyViaApi('redis.api', ['cache', 'redis'], health),
    redisDirect,
    ...auth.checks,
    ...endpoints,
    ...times,
    containers,
    ...resources,
  ];
  const score = healthScore(checks);
  return {
    target: ctx.url,
    embedded: opts.embedded ?? false,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    score,
    required: REQUIRED_SCORE,
    verdict: verdictOf(score),
    checks,
  };
}
