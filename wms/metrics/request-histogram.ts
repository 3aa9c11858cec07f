// Why: every request the target answers is recorded in http_request_duration_seconds, and on the
// cached read (the hottest route of a load test) prom-client's Histogram.observe was ~0.8 µs of
// the request: it builds a closure, checks every label name and hashes the labels into a string
// for each call. This histogram keeps one entry per (method, route, status) in a Map keyed by a
// plain string, and hands prom-client the samples only when /metrics is scraped, in the shape
// prom-client's own histogram gives (`get()`), so the registry formats it like any other metric.
import type client from 'prom-client';

type Labels = { method: string; route: string; status_code: string };

interface Entry {
  labels: Labels;
  /** counts[i]: observations ≤ buckets[i] and > buckets[i-1]; the last one: above every bucket. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/** One sample of a metric, as prom-client's `get()` returns them. */
export interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

export class RequestHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private entries = new Map<string, Entry>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {}

  /** Records one answer of `seconds`. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let e = this.entries.get(key);
    if (e === undefined) {
      e = { labels: { method, route, status_code: String(status) }, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
      this.entries.set(key, e);
    }
    let i = 0;
    while (i < this.buckets.length && seconds > this.buckets[i]) i++;
    e.counts[i]++;
    e.sum += seconds;
    e.count++;
  }

  /** The samples in prom-client's histogram shape: cumulative `_bucket`s with `le`, `_sum`, `_count`. */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: MetricValue[] }> {
    const values: MetricValue[] = [];
    for (const e of this.entries.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        cumulative += e.counts[i];
        values.push({ labels: { le: this.buckets[i], ...e.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { le: '+Inf', ...e.labels }, value: e.count, metricName: `${this.name}_bucket` });
      values.push({ labels: e.labels, value: e.sum, metricName: `${this.name}_sum` });
      values.push({ labels: e.labels, value: e.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Each label set with its count of requests (http_requests_total, registry.ts). */
  counts(): { labels: Labels; count: number }[] {
    return [...this.entries.values()].map((e) => ({ labels: e.labels, count: e.count }));
  }

  reset(): void {
    this.entries.clear();
  }

  /** Registers it in `registry` as a metric of its own (prom-client formats what `get()` returns). */
  register(registry: client.Registry): this {
    registry.registerMetric(this as unknown as client.Metric);
    return this;
  }
}
