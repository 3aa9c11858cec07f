/**
 * `--out influxdb=http://host:8086/dbname`: k6's InfluxDB v1 output. One point per sample in line
 * protocol — measurement = metric name, the sample's tags as tags, `value=<float>` as the field, and
 * the tags named in K6_INFLUXDB_TAGS_AS_FIELDS (default `vu:int,iter:int,url`: high-cardinality tags)
 * as fields instead — nanosecond timestamps, written to /write?db=… every push interval by up to
 * K6_INFLUXDB_CONCURRENT_WRITES requests at once. The database is created at start (as k6 does).
 * Settings (k6's names): K6_INFLUXDB_USERNAME / _PASSWORD (or user:pass@ in the URL),
 * K6_INFLUXDB_PUSH_INTERVAL (1s), K6_INFLUXDB_CONCURRENT_WRITES (4), K6_INFLUXDB_TAGS_AS_FIELDS,
 * K6_INFLUXDB_INSECURE (skip TLS checks); `?rp=…&consistency=…` on the URL are passed to /write.
 */
import { ConfigError } from '../errors.ts';
import { parseDuration } from '../duration.ts';
import type { Logger } from '../log.ts';
import type { Sample } from '../metrics/collector.ts';
import { RemoteWriter } from './remote-writer.ts';
import type { Output } from './types.ts';

export type FieldType = 'int' | 'float' | 'bool' | 'string';

export interface InfluxConfig {
  /** http://host:8086 (no path). */
  addr: string;
  db: string;
  username: string;
  password: string;
  pushIntervalMs: number;
  concurrentWrites: number;
  tagsAsFields: Map<string, FieldType>;
  insecure: boolean;
  /** Extra /write query parameters (rp, consistency). */
  writeParams: Record<string, string>;
}

export const influxDefaults = { pushIntervalMs: 1000, concurrentWrites: 4, tagsAsFields: 'vu:int,iter:int,url' } as const;
/** Points waiting to be written beyond which the oldest batches are dropped. */
const maxQueuedPoints = 200_000;
/** Points per request at most (InfluxDB's recommended batch is 5 000–10 000). */
const batchPoints = 10_000;

function parseTagsAsFields(text: string): Map<string, FieldType> {
  const out = new Map<string, FieldType>();
  for (const item of text.split(',')) {
    const t = item.trim();
    if (!t) continue;
    const [name, type = 'string'] = t.split(':', 2) as [string, string?];
    if (!['int', 'float', 'bool', 'string'].includes(type)) {
      throw new ConfigError('K6_INFLUXDB_TAGS_AS_FIELDS', `"${t}": the type must be int, float, bool or string`);
    }
    out.set(name, type as FieldType);
  }
  return out;
}

/** The settings from `influxdb=<url>` and k6's K6_INFLUXDB_* variables. */
export function influxConfig(arg: string, env: Record<string, string | undefined>): InfluxConfig {
  let u: URL;
  try {
    u = new URL(arg || 'http://localhost:8086/k6');
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new ConfigError('out', `"influxdb=${arg}": not an http(s) URL, e.g. --out influxdb=http://localhost:8086/k6`);
  }
  const db = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, '')) || 'k6';
  if (db.includes('/')) throw new ConfigError('out', `"influxdb=${arg}": the path must be just the database name, e.g. /k6`);
  const interval = env.K6_INFLUXDB_PUSH_INTERVAL;
  const pushIntervalMs = interval ? parseDuration(interval, 'K6_INFLUXDB_PUSH_INTERVAL') : influxDefaults.pushIntervalMs;
  if (!(pushIntervalMs > 0)) throw new ConfigError('K6_INFLUXDB_PUSH_INTERVAL', `"${interval}" must be above zero`);
  const cw = env.K6_INFLUXDB_CONCURRENT_WRITES;
  const concurrentWrites = cw ? Number(cw) : influxDefaults.concurrentWrites;
  if (!Number.isInteger(concurrentWrites) || concurrentWrites < 1) throw new ConfigError('K6_INFLUXDB_CONCURRENT_WRITES', `"${cw}" must be a positive integer`);
  const insecureText = env.K6_INFLUXDB_INSECURE ?? '';
  if (!/^(|true|false|1|0)$/i.test(insecureText)) throw new ConfigError('K6_INFLUXDB_INSECURE', `"${insecureText}" is not a boolean (true or false)`);
  const writeParams: Record<string, string> = {};
  for (const [k, v] of u.searchParams) {
    if (k !== 'rp' && k !== 'consistency' && k !== 'precision') throw new ConfigError('out', `"influxdb=${arg}": unknown parameter "${k}" (rp, consistency)`);
    if (k !== 'precision') writeParams[k] = v;
  }
  return {
    addr: `${u.protocol}//${u.host}`,
    db,
    username: env.K6_INFLUXDB_USERNAME ?? decodeURIComponent(u.username),
    password: env.K6_INFLUXDB_PASSWORD ?? decodeURIComponent(u.password),
    pushIntervalMs,
    concurrentWrites,
    tagsAsFields: parseTagsAsFields(env.K6_INFLUXDB_TAGS_AS_FIELDS ?? influxDefaults.tagsAsFields),
    insecure: /^(true|1)$/i.test(insecureText),
    writeParams,
  };
}

// Line protocol escaping (InfluxDB 1.x): measurement: comma, space; tag keys/values and field keys:
// comma, equals sign, space; string field values: double quote and backslash.
const escMeasurement = (s: string) => s.replace(/([\\, ])/g, '\\$1');
const escKey = (s: string) => s.replace(/([\\,= ])/g, '\\$1');
const escString = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;

function fieldValue(value: string, type: FieldType): string | undefined {
  if (type === 'string') return escString(value);
  if (type === 'bool') return /^(true|1)$/i.test(value) ? 'true' : 'false';
  const n = Number(value);
  if (!Number.isFinite(n)) return undefined;
  return type === 'int' ? `${Math.trunc(n)}i` : String(n);
}

/**
 * One sample as a line-protocol point (no trailing newline). `lastNs` (per series: measurement and
 * tags) keeps timestamps strictly increasing: InfluxDB keeps one point per series and timestamp, and
 * samples of different VUs (vu is a field) often share a millisecond.
 */
export function linePoint(s: Sample, tagsAsFields: ReadonlyMap<string, FieldType>, lastNs?: Map<string, bigint>): string {
  let line = escMeasurement(s.metric);
  let fields = `value=${Number.isFinite(s.value) ? s.value : 0}`;
  for (const k of Object.keys(s.tags).sort()) {
    const v = String(s.tags[k]);
    const asField = tagsAsFields.get(k);
    if (asField) {
      const f = fieldValue(v, asField);
      if (f !== undefined) fields += `,${escKey(k)}=${f}`;
    } else if (v !== '') line += `,${escKey(k)}=${escKey(v)}`;
  }
  let ns = BigInt(Math.round(s.time * 1000)) * 1000n;
  if (lastNs) {
    const last = lastNs.get(line);
    if (last !== undefined && ns <= last) ns = last + 1n;
    lastNs.set(line, ns);
  }
  return `${line} ${fields} ${ns}`;
}

export class InfluxDbOutput implements Output {
  readonly wantsSamples = true;
  readonly description: string;
  private lines: string[] = [];
  private readonly lastNs = new Map<string, bigint>();
  private timer: NodeJS.Timeout | null = null;
  private readonly writer: RemoteWriter;
  private readonly auth: Record<string, string>;

  constructor(
    readonly config: InfluxConfig,
    private readonly log: Logger,
  ) {
    this.description = `InfluxDBv1 (${config.addr}/${config.db})`;
    const q = new URLSearchParams({ db: config.db, precision: 'ns', ...config.writeParams });
    this.auth = config.username || config.password ? { Authorization: `Basic ${Buffer.from(`${config.username}:${config.password}`).toString('base64')}` } : {};
    this.writer = new RemoteWriter({
      name: 'influxdb',
      url: `${config.addr}/write?${q}`,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'User-Agent': 'aetos-load', ...this.auth },
      maxQueuedSamples: maxQueuedPoints,
      concurrency: config.concurrentWrites,
      timeoutMs: Math.max(5000, config.pushIntervalMs),
      log,
      insecure: config.insecure,
    });
  }

  /** Creates the database (idempotent in InfluxDB 1.x). A failure is logged; the test goes on. */
  async start(): Promise<void> {
    try {
      const res = await fetch(`${this.config.addr}/query`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...this.auth },
        body: new URLSearchParams({ q: `CREATE DATABASE "${this.config.db.replace(/(["\\])/g, '\\$1')}"` }),
        signal: AbortSignal.timeout(5000),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status} ${text.trim().slice(0, 200)}`);
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      this.log.warn(`influxdb: could not create database ${this.config.db} at ${this.config.addr}: ${e.cause?.code ?? e.message}`);
    }
    this.timer = setInterval(() => this.flush(), this.config.pushIntervalMs);
    this.timer.unref();
  }

  addSamples(samples: readonly Sample[]): void {
    for (const s of samples) this.lines.push(linePoint(s, this.config.tagsAsFields, this.lastNs));
    if (this.lines.length >= batchPoints * this.config.concurrentWrites) this.flush();
  }

  private flush(): void {
    const lines = this.lines;
    this.lines = [];
    for (let i = 0; i < lines.length; i += batchPoints) {
      const batch = lines.slice(i, i + batchPoints);
      this.writer.enqueue({ body: `${batch.join('\n')}\n`, samples: batch.length });
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush();
    await this.writer.drain(Math.max(5000, this.config.pushIntervalMs) + 1000);
    const lost = this.writer.report();
    if (lost) this.log.warn(lost);
  }

  get counts(): { sent: number; dropped: number } {
    return { sent: this.writer.sent, dropped: this.writer.dropped };
  }
}
