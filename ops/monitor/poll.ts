/**
 * One poll of the monitor: every source of the guide's monitor-system measured at once —
 * API response time and /api/health (database, cache), the frontend, the target's /metrics
 * (memory, event-loop lag, request and 5xx counts → error rate since the previous poll),
 * containers, local CPU / memory / disk, new error lines in a log — into one flat sample.
 * The Poller keeps what needs the previous poll (CPU times, counters, log offset).
 */
import { inspectContainers } from '../shared/docker.ts';
import { pingPostgres, pingRedis } from '../shared/datastores.ts';
import { joinUrl, jsonBody, probe } from '../shared/http-probe.ts';
import { firstValue, parsePrometheus, sumWhere } from '../shared/prometheus.ts';
import { cpuPercentBetween, cpuSnapshot, diskUsage, memoryUsage, type CpuSnapshot } from '../shared/system.ts';
import { LogTail } from './log-tail.ts';
import type { MonitorSample } from './types.ts';

export interface PollerOptions {
  url: string;
  timeoutMs: number;
  apiPath: string;
  /** Credentials to log in with (POST /api/auth/login) when the timed path needs a token. */
  user?: string;
  password?: string;
  logFile?: string;
  databaseUrl?: string;
  redisUrl?: string;
  dockerSocket?: string;
  diskPath: string;
}

interface ApiHealthBody {
  status?: string;
  checks?: Record<string, { status?: string; latencyMs?: number } | undefined>;
}

/** The status label of a request counter: prom-client setups name it status_code, status or code. */
function statusOf(labels: Record<string, string>): number {
  return Number(labels.status_code ?? labels.status ?? labels.code ?? NaN);
}

export class Poller {
  private cpuPrev: CpuSnapshot;
  private counters?: { requests: number; errors: number };
  private restartsPrev?: number;
  private tail?: LogTail;
  private errorsTotal = 0;
  private token?: string;

  constructor(private readonly o: PollerOptions) {
    this.cpuPrev = cpuSnapshot();
    if (o.logFile) this.tail = new LogTail(o.logFile);
  }

  /** Sets the log's starting offset; call once before the first poll. */
  async start(): Promise<void> {
    await this.tail?.start();
  }

  /** A bearer token for the timed path, logging in when there is none (not timed). */
  private async authHeaders(signal?: AbortSignal, timeoutMs = this.o.timeoutMs): Promise<Record<string, string>> {
    if (!this.o.user || !this.o.password) return {};
    if (!this.token) {
      const r = await probe(joinUrl(this.o.url, '/api/auth/login'), {
        method: 'POST', body: { username: this.o.user, password: this.o.password }, timeoutMs, signal,
      });
      this.token = r.status === 200 ? jsonBody<{ token?: string }>(r)?.token : undefined;
    }
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  async poll(startedAtMs: number, signal?: AbortSignal): Promise<Omit<MonitorSample, 'firing'>> {
    const t0 = Date.now();
    const { url } = this.o;
    const values: Record<string, number | undefined> = {};
    const notes: Record<string, string> = {};
    const apiIsHealth = this.o.apiPath === '/api/health';
    // One deadline for the whole poll (login included), so a target that never answers costs
    // one timeout per poll, not two, and a watch ends on time.
    const auth = apiIsHealth ? {} : await this.authHeaders(signal, this.o.timeoutMs / 2);
    const timeoutMs = Math.max(this.o.timeoutMs / 2, this.o.timeoutMs - (Date.now() - t0));

    const [health, api, front, metrics, containers, disk, tail, pgA, redisA] = await Promise.all([
      probe(joinUrl(url, '/api/health'), { timeoutMs, signal }),
      apiIsHealth ? undefined : probe(joinUrl(url, this.o.apiPath), { timeoutMs, signal, headers: auth }),
      probe(joinUrl(url, '/'), { timeoutMs, signal }),
      probe(joinUrl(url, '/metrics'), { timeoutMs, signal }),
      inspectContainers(this.o.dockerSocket, timeoutMs),
      diskUsage(this.o.diskPath).catch(() => undefined),
      this.tail?.read().catch((e: Error) => e),
      this.o.databaseUrl ? pingPostgres(this.o.databaseUrl, timeoutMs) : undefined,
      this.o.redisUrl ? pingRedis(this.o.redisUrl, timeoutMs) : undefined,
    ]);

    // API: response time of the timed path; up = /api/health answered 200.
    const timed = api ?? health;
    if (timed.reached) values['api.responseMs'] = timed.ms;
    else if (timed.error?.startsWith('timed out')) values['api.responseMs'] = timed.ms; // a timeout is a (very) slow answer
    values['api.status'] = timed.status;
    if (!timed.reached) notes.api = timed.error ?? 'no answer';
    else if (timed.status >= 400) notes.api = `${this.o.apiPath} answered ${timed.status}`;
    if (timed.status === 401) this.token = undefined; // expired: log in again next poll
    values['api.up'] = health.reached && health.status === 200 ? 1 : 0;
    const hb = health.reached ? jsonBody<ApiHealthBody>(health) : undefined;
    if (hb) {
      values['health.ok'] = hb.status === 'ok' ? 1 : 0;
      const db = hb.checks?.database ?? hb.checks?.db;
      const cache = hb.checks?.cache ?? hb.checks?.redis;
      if (db) {
        values['database.up'] = db.status === 'up' ? 1 : 0;
        if (typeof db.latencyMs === 'number') values['database.latencyMs'] = db.latencyMs;
      }
      if (cache) {
        values['cache.up'] = cache.status === 'up' ? 1 : 0;
        if (typeof cache.latencyMs === 'number') values['cache.latencyMs'] = cache.latencyMs;
      }
      if (hb.status !== 'ok') notes.health = `status ${hb.status}`;
    } else if (!health.reached) notes.health = health.error ?? 'no answer';

    values['frontend.up'] = front.reached && front.status >= 200 && front.status < 400 ? 1 : 0;
    if (front.reached) values['frontend.responseMs'] = front.ms;
    else notes.frontend = front.error ?? 'no answer';

    // The target's own numbers.
    if (metrics.reached && metrics.status === 200) {
      const samples = parsePrometheus(metrics.body);
      const rss = firstValue(samples, 'process_resident_memory_bytes');
      const heap = firstValue(samples, 'nodejs_heap_size_used_bytes');
      const lag = firstValue(samples, 'nodejs_eventloop_lag_seconds');
      if (rss !== undefined) values['target.rssMB'] = rss / 2 ** 20;
      if (heap !== undefined) values['target.heapUsedMB'] = heap / 2 ** 20;
      if (lag !== undefined) values['target.eventLoopLagMs'] = lag * 1000;
      const requests = sumWhere(samples, 'http_requests_total');
      const errors = sumWhere(samples, 'http_requests_total', (l) => statusOf(l) >= 500) ?? 0;
      if (requests !== undefined) {
        const prev = this.counters;
        // A counter that went down means the target restarted: count from zero.
        const dReq = prev && requests >= prev.requests ? requests - prev.requests : prev ? requests : undefined;
        const dErr = prev && errors >= prev.errors ? errors - prev.errors : prev ? errors : undefined;
        this.counters = { requests, errors };
        if (dReq !== undefined && dErr !== undefined) {
          values['target.requests'] = dReq;
          values['target.errors'] = dErr;
          if (dReq > 0) values['target.errorRatePercent'] = (100 * dErr) / dReq;
        }
      }
    } else notes.metrics = metrics.reached ? `/metrics answered ${metrics.status}` : (metrics.error ?? 'no answer');

    if (pgA) {
      values['db.direct.up'] = pgA.ok ? 1 : 0;
      if (pgA.ok) values['db.direct.ms'] = pgA.ms;
      else notes.database = pgA.error ?? 'failed';
    }
    if (redisA) {
      values['redis.direct.up'] = redisA.ok ? 1 : 0;
      if (redisA.ok) values['redis.direct.ms'] = redisA.ms;
      else notes.redis = redisA.error ?? 'failed';
    }

    if (containers.available) {
      const cs = containers.containers;
      const restarts = cs.reduce((n, c) => n + c.restartCount, 0);
      values['containers.total'] = cs.length;
      values['containers.running'] = cs.filter((c) => c.state === 'running').length;
      values['containers.unhealthy'] = cs.filter((c) => c.health === 'unhealthy' || c.state !== 'running').length;
      values['containers.restarts'] = restarts;
      if (this.restartsPrev !== undefined) values['containers.newRestarts'] = Math.max(0, restarts - this.restartsPrev);
      this.restartsPrev = restarts;
    } else if (containers.socketFound) notes.containers = containers.reason;

    const cpuNow = cpuSnapshot();
    const cpu = cpuPercentBetween(this.cpuPrev, cpuNow);
    this.cpuPrev = cpuNow;
    if (cpu !== undefined) values['system.cpuPercent'] = cpu;
    values['system.memoryPercent'] = memoryUsage().percent;
    if (disk) values['system.diskPercent'] = disk.percent;

    let errorLines: string[] | undefined;
    if (tail instanceof Error) notes.log = tail.message;
    else if (tail) {
      this.errorsTotal += tail.newErrors;
      values['logs.lines'] = tail.newLines;
      values['logs.errors'] = tail.newErrors;
      values['logs.errorsTotal'] = this.errorsTotal;
      if (tail.errorLines.length) errorLines = tail.errorLines;
    }

    return { type: 'sample', t: new Date(t0).toISOString(), elapsedMs: t0 - startedAtMs, pollMs: Date.now() - t0, values, notes, ...(errorLines ? { errorLines } : {}) };
  }
}
