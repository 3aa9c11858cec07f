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
  /** True when SEED_PASSWORD was not set: the service then refuses to listen beyond loopback. */
  seedPasswordIsDefault: boolean;
  databaseUrl?: string;
  /** Postgres schema to use (tests use a unique one per run). */
  databaseSchema?: string;
  redisUrl?: string;
  redisPrefix: string;
  adminToken: string;
  jwtSecret: string;
  jwtTtlSeconds: number;
  /** Requests per minute per user on /api (0 turns the limit off). */
  rateLimitPerMinute: number;
  /** Login attempts per minute from one address, over all usernames (caps a made-up-names flood). */
  loginPerIpPerMinute: number;
  /** Entries of the in-memory rate-limit store; above loginPerIpPerMinute so one address cannot evict counters. */
  rateLimitStoreEntries: number;
  /** The Postgres pool's ceiling (the guide: 100); sized below the server's max_connections at start. */
  poolMax: number;
  /** Whole request, body included (Node's requestTimeout): a slow body is cut after this. */
  requestTimeoutMs: number;
  /** Headers must arrive within this (Node's headersTimeout). */
  headersTimeoutMs: number;
  /** Socket inactivity (fastify connectionTimeout). */
  connectionTimeoutMs: number;
  /** An idle keep-alive socket is closed after this. */
  keepAliveTimeoutMs: number;
  maxRequestsPerSocket: number;
  /** Concurrent sockets; more are refused. */
  maxConnections: number;
  /** @fastify/under-pressure: 503 above these (0 = off). */
  maxEventLoopDelayMs: number;
  maxHeapUsedBytes: number;
  maxRssBytes: number;
  /** How often under-pressure samples; its event-loop reading is the mean delay over one interval. */
  pressureSampleMs: number;
  /** Circuit breakers: how long an open breaker waits before it lets one trial request through. */
  breakerResetMs: number;
  uploadLimitMb: number;
  /** Where uploads stream to; created at start and removed on exit when the service created it. */
  uploadDir: string;
  /** Keep uploaded files on disk (default: delete after hashing so a load test cannot fill the disk). */
  keepUploads: boolean;
  faults: FaultSettings;
  /** pino: 'silent' | 'info' | ... */
  logLevel: string;
  /** Request lines logged per second at most (the rest counted in one line); server errors always. */
  requestLogPerSecond: number;
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

/** The seed password used when SEED_PASSWORD is unset; accepted only while the service listens on loopback. */
export const defaultSeedPassword = 'Passw0rd!';

/** The guide's memory limit per container. */
const containerMemoryBytes = 2 * 1024 ** 3;

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): TargetConfig {
  const errorRate = num(env.FAULT_ERROR_RATE, 0, 'FAULT_ERROR_RATE');
  if (errorRate > 1) throw new Error(`FAULT_ERROR_RATE: expected 0..1, got "${env.FAULT_ERROR_RATE}"`);
  return {
    port: 8080,
    host: '127.0.0.1',
    seedUsers: 500,
    seedSkus: 2000,
    seedPassword: env.SEED_PASSWORD || defaultSeedPassword,
    seedPasswordIsDefault: !env.SEED_PASSWORD,
    databaseUrl: env.DATABASE_URL || undefined,
    databaseSchema: env.DATABASE_SCHEMA || undefined,
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.REDIS_PREFIX || 'aetos:',
    adminToken: env.ADMIN_TOKEN || randomBytes(16).toString('hex'),
    jwtSecret: env.JWT_SECRET || randomBytes(32).toString('hex'),
    jwtTtlSeconds: num(env.JWT_TTL_SECONDS, 3600, 'JWT_TTL_SECONDS'),
    rateLimitPerMinute: num(env.RATE_LIMIT_PER_MINUTE, 100, 'RATE_LIMIT_PER_MINUTE'),
    // 10,000 logins a minute from one address: the 500-user nightly concurrent-login run makes ~8,000
    // from the load generator's one address, an attacker's flood stops there.
    loginPerIpPerMinute: num(env.LOGIN_RATE_LIMIT_PER_IP, 10_000, 'LOGIN_RATE_LIMIT_PER_IP'),
    rateLimitStoreEntries: 100_000,
    poolMax: num(env.POOL_MAX, 100, 'POOL_MAX'),
    requestTimeoutMs: num(env.REQUEST_TIMEOUT_MS, 30_000, 'REQUEST_TIMEOUT_MS'),
    headersTimeoutMs: num(env.HEADERS_TIMEOUT_MS, 10_000, 'HEADERS_TIMEOUT_MS'),
    connectionTimeoutMs: num(env.CONNECTION_TIMEOUT_MS, 120_000, 'CONNECTION_TIMEOUT_MS'),
    keepAliveTimeoutMs: num(env.KEEP_ALIVE_TIMEOUT_MS, 10_000, 'KEEP_ALIVE_TIMEOUT_MS'),
    maxRequestsPerSocket: num(env.MAX_REQUESTS_PER_SOCKET, 10_000, 'MAX_REQUESTS_PER_SOCKET'),
    maxConnections: num(env.MAX_CONNECTIONS, 5_000, 'MAX_CONNECTIONS'),
    maxEventLoopDelayMs: num(env.MAX_EVENT_LOOP_DELAY_MS, 1_000, 'MAX_EVENT_LOOP_DELAY_MS'),
    maxHeapUsedBytes: num(env.MAX_HEAP_USED_BYTES, Math.round(containerMemoryBytes * 0.75), 'MAX_HEAP_USED_BYTES'),
    maxRssBytes: num(env.MAX_RSS_BYTES, Math.round(containerMemoryBytes * 0.9), 'MAX_RSS_BYTES'),
    // 2 s, not the plugin's 1 s: a single loop iteration longer than the whole interval reads as an
    // infinite delay, which on a loaded 2-core box turned healthy requests away.
    pressureSampleMs: num(env.PRESSURE_SAMPLE_MS, 2_000, 'PRESSURE_SAMPLE_MS'),
    breakerResetMs: num(env.BREAKER_RESET_MS, 5_000, 'BREAKER_RESET_MS'),
    uploadLimitMb: num(env.UPLOAD_LIMIT_MB, 20, 'UPLOAD_LIMIT_MB'),
    uploadDir: env.UPLOAD_DIR || path.join(os.tmpdir(), `aetos-uploads-${process.pid}-${randomBytes(4).toString('hex')}`),
    keepUploads: env.UPLOAD_KEEP === '1',
    faults: {
      latencyMs: num(env.FAULT_LATENCY_MS, 0, 'FAULT_LATENCY_MS'),
      errorRate,
      leakMbPerMin: num(env.FAULT_LEAK_MB_PER_MIN, 0, 'FAULT_LEAK_MB_PER_MIN'),
      slowQueryMs: num(env.FAULT_SLOW_QUERY_MS, 0, 'FAULT_SLOW_QUERY_MS'),
      dbOutageSeconds: num(env.FAULT_DB_OUTAGE_SECONDS, 0, 'FAULT_DB_OUTAGE_SECONDS'),
    },
    logLevel: 'info',
    requestLogPerSecond: num(env.REQUEST_LOG_PER_SECOND, 10, 'REQUEST_LOG_PER_SECOND'),
  };
}
