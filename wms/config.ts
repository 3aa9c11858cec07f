// Why: one place that turns flags + env into the target's settings, so the CLI, startTarget() and
// the tests all configure the service the same way.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

export interface FaultSettings {
  latencyMs: number;
  errorRate: number;
  leakMbPerMin: number;
  slowQueryMs: number;
  dbOutageSeconds: number;
}

export interface TargetConfig {
  port: number;
  host: string;
  seedUsers: number;
  seedSkus: number;
  seedPassword: string;
  databaseUrl?: string;
  /** Postgres schema to use (tests use a unique one per run). */
  databaseSchema?: string;
  redisUrl?: string;
  redisPrefix: string;
  adminToken: string;
  jwtSecret: string;
  jwtTtlSeconds: number;
  rateLimitPerMinute: number;
  uploadLimitMb: number;
  uploadDir: string;
  /** Keep uploaded files on disk (default: delete after hashing so a load test cannot fill the disk). */
  keepUploads: boolean;
  faults: FaultSettings;
  /** pino: 'silent' | 'info' | ... */
  logLevel: string;
  logFile?: string;
  /** Called after a `crash` fault has answered; default process.exit(1). */
  onCrash?: () => void;
}

function num(v: string | undefined, def: number, name: string): number {
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}: expected a non-negative number, got "${v}"`);
  return n;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): TargetConfig {
  const errorRate = num(env.FAULT_ERROR_RATE, 0, 'FAULT_ERROR_RATE');
  if (errorRate > 1) throw new Error(`FAULT_ERROR_RATE: expected 0..1, got "${env.FAULT_ERROR_RATE}"`);
  return {
    port: 8080,
    host: '127.0.0.1',
    seedUsers: 500,
    seedSkus: 2000,
    seedPassword: env.SEED_PASSWORD || 'Passw0rd!',
    databaseUrl: env.DATABASE_URL || undefined,
    databaseSchema: env.DATABASE_SCHEMA || undefined,
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.REDIS_PREFIX || 'aetos:',
    adminToken: env.ADMIN_TOKEN || randomBytes(16).toString('hex'),
    jwtSecret: env.JWT_SECRET || randomBytes(32).toString('hex'),
    jwtTtlSeconds: num(env.JWT_TTL_SECONDS, 3600, 'JWT_TTL_SECONDS'),
    rateLimitPerMinute: num(env.RATE_LIMIT_PER_MINUTE, 100, 'RATE_LIMIT_PER_MINUTE'),
    uploadLimitMb: num(env.UPLOAD_LIMIT_MB, 20, 'UPLOAD_LIMIT_MB'),
    uploadDir: env.UPLOAD_DIR || path.join(os.tmpdir(), `aetos-uploads-${process.pid}`),
    keepUploads: env.UPLOAD_KEEP === '1',
    faults: {
      latencyMs: num(env.FAULT_LATENCY_MS, 0, 'FAULT_LATENCY_MS'),
      errorRate,
      leakMbPerMin: num(env.FAULT_LEAK_MB_PER_MIN, 0, 'FAULT_LEAK_MB_PER_MIN'),
      slowQueryMs: num(env.FAULT_SLOW_QUERY_MS, 0, 'FAULT_SLOW_QUERY_MS'),
      dbOutageSeconds: num(env.FAULT_DB_OUTAGE_SECONDS, 0, 'FAULT_DB_OUTAGE_SECONDS'),
    },
    logLevel: 'info',
  };
}
