/**
 * The monitor's vocabulary: what one poll measures, the options of a watch and the report it
 * ends with. `run --monitor` and the CLI both consume these.
 */
import type { AlertEvent, AlertRule } from './rules.ts';

/**
 * One poll. `values` is flat so alert rules can name any key:
 *   api.up (1 = /api/health answered 200), api.responseMs, api.status,
 *   health.ok, database.up, database.latencyMs, cache.up, cache.latencyMs,
 *   frontend.up, frontend.responseMs,
 *   target.rssMB, target.heapUsedMB, target.eventLoopLagMs,
 *   target.requests, target.errors (5xx), target.errorRatePercent (since the previous poll),
 *   db.direct.up, db.direct.ms, redis.direct.up, redis.direct.ms (with --database-url / --redis-url),
 *   containers.total, containers.running, containers.unhealthy, containers.restarts, containers.newRestarts,
 *   system.cpuPercent, system.memoryPercent, system.diskPercent,
 *   logs.lines, logs.errors (new since the previous poll), logs.errorsTotal.
 * A key is absent when its source was not available on that poll.
 */
export interface MonitorSample {
  type: 'sample';
  /** ISO time the poll started. */
  t: string;
  /** ms since the monitor started. */
  elapsedMs: number;
  /** How long the poll took, ms. */
  pollMs: number;
  values: Record<string, number | undefined>;
  /** Why something is missing or down, e.g. { api: "connect ECONNREFUSED …" }. */
  notes: Record<string, string>;
  /** New error lines from the log (at most 5). */
  errorLines?: string[];
  /** Rules firing after this poll. */
  firing: string[];
}

export interface MonitorOptions {
  /** Base URL of the deployment. */
  url: string;
  /** Poll interval, ms (default 5000). */
  intervalMs?: number;
  /** Stop by itself after this long, ms (default: run until stop()). */
  durationMs?: number;
  /** Per-request timeout, ms (default 10000). */
  timeoutMs?: number;
  /**
   * Path timed as "API response time" (default /api/inventory: a real API read; the target
   * exempts /api/health from injected latency, as a load balancer's probe would be).
   */
  apiPath?: string;
  /** Login for the timed path (default HEALTH_USER / HEALTH_PASSWORD, else user0001 / Passw0rd!). */
  user?: string;
  password?: string;
  /** Rules (default: the guide's). */
  rules?: AlertRule[];
  /** Append every alert event as a JSON line here. */
  alertsFile?: string;
  /** POST every alert event as JSON here. */
  webhook?: string;
  /** Count new error lines in this file. */
  logFile?: string;
  databaseUrl?: string;
  redisUrl?: string;
  /** Docker engine socket (default from DOCKER_HOST or /var/run/docker.sock). */
  dockerSocket?: string;
  /** Directory whose filesystem the disk reading measures (default: cwd). */
  diskPath?: string;
  /** Keep at most this many samples in the report (oldest dropped; default 20 000). */
  maxSamples?: number;
  onSample?(sample: MonitorSample): void;
  onAlert?(event: AlertEvent): void;
  /** Problems of the monitor itself (webhook failed, alerts file not writable): default stderr. */
  onWarning?(message: string): void;
}

export interface MonitorReport {
  target: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  intervalMs: number;
  polls: number;
  /** Polls where /api/health answered 200. */
  upPolls: number;
  /** upPolls / polls × 100 (100 when no poll ran). */
  uptimePercent: number;
  samples: MonitorSample[];
  /** Every alert event, in order. */
  alerts: AlertEvent[];
  /** Rules still firing at the end. */
  firing: string[];
  rules: AlertRule[];
}

export interface MonitorHandle {
  /** Stops polling (an in-flight poll is abandoned) and resolves with the report. */
  stop(): Promise<MonitorReport>;
  /** Resolves when the monitor ends, by --duration or stop(). */
  readonly done: Promise<MonitorReport>;
  /** The latest sample, if any. */
  latest(): MonitorSample | undefined;
}
