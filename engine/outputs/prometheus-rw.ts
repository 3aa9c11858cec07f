/**
 * `--out experimental-prometheus-rw`: k6's Prometheus remote-write output, with k6's settings and
 * metric names so k6's published Grafana dashboards work unchanged.
 *
 * Every sample is aggregated per time series (metric + tags) since the start of the test; every push
 * interval the series that changed are sent as one remote-write 1.0 request (protobuf WriteRequest,
 * snappy block compression):
 *   counter → k6_<name>_total (running total)     gauge → k6_<name> (last value)
 *   rate    → k6_<name>_rate (non-zero / all)      trend → k6_<name>_<stat> per K6_PROMETHEUS_RW_TREND_STATS
 *                                                            (p(99) → _p99, p(99.9) → _p999, avg, min, max, med, count, sum)
 *   trend with K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true → a native histogram k6_<name>
 *   (k6_<name>_seconds for time trends, in seconds); Prometheus needs --enable-feature=native-histograms.
 * Tags become labels (`--tag testid=…` included). Settings (k6's names):
 *   K6_PROMETHEUS_RW_SERVER_URL (http://localhost:9090/api/v1/write), K6_PROMETHEUS_RW_PUSH_INTERVAL (5s),
 *   K6_PROMETHEUS_RW_TREND_STATS (p(99)), K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM (false),
 *   K6_PROMETHEUS_RW_USERNAME / _PASSWORD (basic auth), K6_PROMETHEUS_RW_HEADERS_<NAME>=value,
 *   K6_PROMETHEUS_RW_HTTP_HEADERS ("k1:v1,k2:v2"), K6_PROMETHEUS_RW_INSECURE_SKIP_TLS_VERIFY, K6_PROMETHEUS_RW_STALE_MARKERS (false: when true,
 *   every series gets Prometheus' stale marker at the end so panels stop drawing it at once).
 */
import type * as Protobuf from 'protobufjs';
import type * as Snappy from 'snappy';
import { lazyRequire } from '../lazy-require.ts';
import { ConfigError } from '../errors.ts';
import { parseDuration } from '../duration.ts';
import type { Logger } from '../log.ts';
import { createAggregate, type Aggregate, CounterAgg, GaugeAgg, RateAgg, type TrendAgg } from '../metrics/aggregates.ts';
import type { Sample } from '../metrics/collector.ts';
import type { Tags } from '../types.ts';
import { RemoteWriter } from './remote-writer.ts';
import type { Output, OutputStartInfo } from './types.ts';

/** Prometheus' remote-write 1.0 messages (prompb/types.proto, remote.proto), the fields we send. */
const schema = `
syntax = "proto3";
message WriteRequest { repeated TimeSeries timeseries = 1; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; repeated Histogram histograms = 4; }
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
message BucketSpan { sint32 offset = 1; uint32 length = 2; }
message Histogram {
  oneof count { uint64 count_int = 1; double count_float = 2; }
  double sum = 3;
  sint32 schema = 4;
  double zero_threshold = 5;
  oneof zero_count { uint64 zero_count_int = 6; double zero_count_float = 7; }
  repeated BucketSpan positive_spans = 11;
  repeated sint64 positive_deltas = 12;
  int32 reset_hint = 14;
  int64 timestamp = 15;
}
`;

/** protobufjs and snappy load when this output is used, not at every start. */
const protobuf = lazyRequire<typeof Protobuf>('protobufjs');
const snappy = lazyRequire<typeof Snappy>('snappy');
let writeRequestType: Protobuf.Type | undefined;
const writeRequest = (): Protobuf.Type => (writeRequestType ??= protobuf().parse(schema).root.lookupType('WriteRequest'));

/** Prometheus' staleness marker: a NaN with this exact bit pattern. */
export const staleNaN = new DataView(new Uint8Array([0x7f, 0xf0, 0, 0, 0, 0, 0, 0x02]).buffer).getFloat64(0);

export const prometheusRwDefaults = {
  serverUrl: 'http://localhost:9090/api/v1/write',
  pushIntervalMs: 5000,
  trendStats: ['p(99)'],
} as const;

/** Native histogram resolution: 2^(2^-3) growth per bucket (≈ 9 %), plenty for latency panels. */
const nativeSchema = 3;
/** Samples waiting to be sent beyond which the oldest requests are dropped. */
const maxQueuedSamples = 500_000;

export interface PrometheusRwConfig {
  url: string;
  pushIntervalMs: number;
  trendStats: string[];
  nativeHistogram: boolean;
  staleMarkers: boolean;
  /** K6_PROMETHEUS_RW_INSECURE_SKIP_TLS_VERIFY */
  insecure: boolean;
  headers: Record<string, string>;
}

function bool(name: string, v: string | undefined): boolean {
  if (v === undefined || v === '') return false;
  if (/^(true|1)$/i.test(v)) return true;
  if (/^(false|0)$/i.test(v)) return false;
  throw new ConfigError(name, `"${v}" is not a boolean (true or false)`);
}

/** A trend stat → the metric-name suffix k6 gives it, or undefined when it is not one. */
export function trendStatSuffix(stat: string): string | undefined {
  if (['avg', 'min', 'max', 'med', 'count', 'sum'].includes(stat)) return stat;
  const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  if (m && Number(m[1]) <= 100) return `p${(m[1] as string).replace('.', '')}`;
  return undefined;
}

/** k6's settings from the environment (the part after `experimental-prometheus-rw=` is not used by k6 either). */
export function prometheusRwConfig(env: Record<string, string | undefined>): PrometheusRwConfig {
  const url = env.K6_PROMETHEUS_RW_SERVER_URL || prometheusRwDefaults.serverUrl;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new ConfigError('K6_PROMETHEUS_RW_SERVER_URL', `"${url}" is not an http(s) URL, e.g. http://localhost:9090/api/v1/write`);
  }
  const interval = env.K6_PROMETHEUS_RW_PUSH_INTERVAL;
  const pushIntervalMs = interval ? parseDuration(interval, 'K6_PROMETHEUS_RW_PUSH_INTERVAL') : prometheusRwDefaults.pushIntervalMs;
  if (!(pushIntervalMs > 0)) throw new ConfigError('K6_PROMETHEUS_RW_PUSH_INTERVAL', `"${interval}" must be above zero`);
  const trendStats = (env.K6_PROMETHEUS_RW_TREND_STATS || prometheusRwDefaults.trendStats.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of trendStats) {
    if (!trendStatSuffix(s)) throw new ConfigError('K6_PROMETHEUS_RW_TREND_STATS', `"${s}" is not a trend stat (avg, min, max, med, count, sum, p(N))`);
  }
  const headers: Record<string, string> = {};
  for (const pair of (env.K6_PROMETHEUS_RW_HTTP_HEADERS ?? '').split(',')) {
    if (!pair.trim()) continue;
    const i = pair.indexOf(':');
    if (i <= 0) throw new ConfigError('K6_PROMETHEUS_RW_HTTP_HEADERS', `"${pair}" is not name:value`);
    headers[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith('K6_PROMETHEUS_RW_HEADERS_') && v !== undefined) headers[k.slice('K6_PROMETHEUS_RW_HEADERS_'.length)] = v;
  }
  const user = env.K6_PROMETHEUS_RW_USERNAME;
  const pass = env.K6_PROMETHEUS_RW_PASSWORD;
  if (user || pass) headers.Authorization = `Basic ${Buffer.from(`${user ?? ''}:${pass ?? ''}`).toString('base64')}`;
  return {
    url,
    pushIntervalMs,
    trendStats,
    nativeHistogram: bool('K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM', env.K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM),
    staleMarkers: bool('K6_PROMETHEUS_RW_STALE_MARKERS', env.K6_PROMETHEUS_RW_STALE_MARKERS),
    insecure: bool('K6_PROMETHEUS_RW_INSECURE_SKIP_TLS_VERIFY', env.K6_PROMETHEUS_RW_INSECURE_SKIP_TLS_VERIFY),
    headers,
  };
}

/** A Prometheus label name from a tag name ([a-zA-Z_][a-zA-Z0-9_]*). */
function labelName(tag: string): string {
  const s = tag.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

interface Series {
  metric: string;
  labels: { name: string; value: string }[];
  agg: Aggregate;
  /** Exponential bucket counts by index, for native histograms only. */
  buckets?: Map<number, number>;
  zeroCount: number;
  isTime: boolean;
  changed: boolean;
}

/** k6's native-histogram bucket for a positive value at `schema`: upper bound 2^(i / 2^schema) ≥ v. */
export function nativeBucketIndex(v: number, schema = nativeSchema): number {
  return Math.ceil(Math.log2(v) * 2 ** schema);
}

export class PrometheusRwOutput implements Output {
  readonly wantsSamples = true;
  readonly description: string;
  private readonly series = new Map<string, Series>();
  private info: OutputStartInfo | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly writer: RemoteWriter;

  constructor(
    readonly config: PrometheusRwConfig,
    private readonly log: Logger,
  ) {
    this.description = `Prometheus remote write (${config.url})`;
    this.writer = new RemoteWriter({
      name: 'experimental-prometheus-rw',
      url: config.url,
      headers: {
        'Content-Type': 'application/x-protobuf',
        'Content-Encoding': 'snappy',
        'X-Prometheus-Remote-Write-Version': '0.1.0',
        'User-Agent': 'aetos-load',
        ...config.headers,
      },
      maxQueuedSamples,
      concurrency: 1,
      timeoutMs: Math.max(5000, config.pushIntervalMs),
      log,
      insecure: config.insecure,
    });
  }

  async start(info: OutputStartInfo): Promise<void> {
    this.info = info;
    this.timer = setInterval(() => this.flush(Date.now()), this.config.pushIntervalMs);
    this.timer.unref();
  }

  private seriesOf(s: Sample): Series {
    const keys = Object.keys(s.tags).sort();
    let key = s.metric;
    for (const k of keys) key += `\u0000${k}\u0001${(s.tags as Tags)[k]}`;
    let series = this.series.get(key);
    if (!series) {
      const def = this.info?.definition(s.metric);
      const type = def?.type ?? 'counter';
      const labels = keys.map((k) => ({ name: labelName(k), value: String((s.tags as Tags)[k]) }));
      series = { metric: s.metric, labels, agg: createAggregate(type), zeroCount: 0, isTime: def?.contains === 'time', changed: false };
      if (type === 'trend' && this.config.nativeHistogram) series.buckets = new Map();
      this.series.set(key, series);
    }
    return series;
  }

  addSamples(samples: readonly Sample[]): void {
    for (const s of samples) {
      const series = this.seriesOf(s);
      series.agg.add(s.value, s.time);
      series.changed = true;
      if (series.buckets) {
        const v = series.isTime ? s.value / 1000 : s.value;
        if (v <= 0) series.zeroCount++;
        else {
          const i = nativeBucketIndex(v);
          series.buckets.set(i, (series.buckets.get(i) ?? 0) + 1);
        }
      }
    }
  }

  /** The time series for one series' current state (several for a trend's stats). */
  private timeseries(series: Series, time: number): Protobuf.Message[] | object[] {
    const name = `k6_${series.metric.replace(/[^a-zA-Z0-9_]/g, '_')}`;
    const one = (metric: string, value: number) => ({
      labels: [{ name: '__name__', value: metric }, ...series.labels],
      samples: [{ value, timestamp: time }],
    });
    const a = series.agg;
    if (a instanceof CounterAgg) return [one(`${name}_total`, a.sum)];
    if (a instanceof GaugeAgg) return [one(name, a.last)];
    if (a instanceof RateAgg) return [one(`${name}_rate`, a.rate)];
    const h = (a as TrendAgg).h;
    if (series.buckets) return [this.nativeHistogram(series, series.isTime ? `${name}_seconds` : name, time)];
    return this.config.trendStats.map((stat) => {
      const suffix = trendStatSuffix(stat) as string;
      let v: number;
      if (stat === 'avg') v = h.avg;
      else if (stat === 'min') v = h.min;
      else if (stat === 'max') v = h.max;
      else if (stat === 'count') v = h.count;
      else if (stat === 'sum') v = h.sum;
      else if (stat === 'med') v = h.percentile(0.5);
      else v = h.percentile(Number(stat.slice(2, -1)) / 100);
      return one(`${name}_${suffix}`, v);
    });
  }

  private nativeHistogram(series: Series, metric: string, time: number): object {
    const h = (series.agg as TrendAgg).h;
    const indexes = [...(series.buckets as Map<number, number>).keys()].sort((x, y) => x - y);
    const spans: { offset: number; length: number }[] = [];
    const deltas: number[] = [];
    let prevIndex = 0;
    let prevCount = 0;
    for (const [n, i] of indexes.entries()) {
      const count = (series.buckets as Map<number, number>).get(i) as number;
      const last = spans[spans.length - 1];
      if (n > 0 && i === prevIndex + 1 && last) last.length++;
      else spans.push({ offset: n === 0 ? i : i - prevIndex - 1, length: 1 });
      deltas.push(count - prevCount);
      prevIndex = i;
      prevCount = count;
    }
    return {
      labels: [{ name: '__name__', value: metric }, ...series.labels],
      histograms: [
        {
          countInt: h.count,
          sum: series.isTime ? h.sum / 1000 : h.sum,
          schema: nativeSchema,
          zeroThreshold: 0,
          zeroCountInt: series.zeroCount,
          positiveSpans: spans,
          positiveDeltas: deltas,
          resetHint: 2, // NO: the histogram only grows during the test
          timestamp: time,
        },
      ],
    };
  }

  /** Sends the series that changed since the last push (all of them, as stale markers, when `stale`). */
  private flush(time: number, stale = false): void {
    const timeseries: object[] = [];
    let samples = 0;
    for (const series of this.series.values()) {
      if (!series.changed && !stale) continue;
      series.changed = false;
      const ts = this.timeseries(series, time) as { samples?: { value: number }[]; histograms?: unknown[] }[];
      if (stale) {
        for (const t of ts) {
          delete t.histograms;
          t.samples = [{ value: staleNaN, timestamp: time } as { value: number }];
        }
      }
      timeseries.push(...ts);
      samples += ts.length;
    }
    if (samples === 0) return;
    const WriteRequest = writeRequest();
    const bytes = WriteRequest.encode(WriteRequest.fromObject({ timeseries })).finish();
    this.writer.enqueue({ body: snappy().compressSync(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)), samples });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const now = Date.now();
    this.flush(now);
    if (this.config.staleMarkers) this.flush(now + 1, true);
    await this.writer.drain(Math.max(5000, this.config.pushIntervalMs) + 1000);
    const lost = this.writer.report();
    if (lost) this.log.warn(lost);
  }

  /** Samples (series values) delivered and dropped so far. */
  get counts(): { sent: number; dropped: number } {
    return { sent: this.writer.sent, dropped: this.writer.dropped };
  }
}
