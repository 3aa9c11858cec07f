/**
 * Per-second aggregates for time-series views (the HTML report, the live dashboard), computed where
 * the samples are made (each worker's collector) so no raw sample has to cross to the main thread
 * for a chart. Two kinds of rows per drain:
 *
 *  - per second (epoch-aligned) × metric × `scenario` tag: the metric's aggregate state (counter
 *    sum, gauge last/min/max, rate passes/total, trend HDR buckets: aggregates.ts), exactly
 *    mergeable across workers and drains;
 *  - per request `name` × metric (http_reqs, http_req_duration, http_req_failed) since the last
 *    drain, and failed requests per name and error (k6's `error_code`, else `HTTP <status>`).
 *
 * Which metrics: the ones a run's charts show (TIMELINE_BUILTINS) and every custom metric; the
 * request phases, data_* and the other protocols' built-ins are left out (the end-of-test numbers
 * of every metric stay the store's, exact). Names past MAX_TIMELINE_NAMES per collector are
 * counted under OTHER_NAMES, so a script that puts ids in names cannot grow it without bound.
 * Aggregates are reused across drains (reset in place), as the collector's are.
 */
import type { MetricType, Tags } from '../types.ts';
import { createAggregate, type Aggregate, type AggregateState } from './aggregates.ts';
import { builtinMetrics } from './builtin.ts';

/** Built-in metrics with rows (the report's charts); every custom metric has them too. */
export const TIMELINE_BUILTINS: ReadonlySet<string> = new Set(['http_reqs', 'http_req_duration', 'http_req_failed', 'vus', 'vus_max', 'checks', 'dropped_iterations', 'iterations']);
/** Metrics with per-name rows. */
const NAMED: ReadonlySet<string> = new Set(['http_reqs', 'http_req_duration', 'http_req_failed']);
export const MAX_TIMELINE_NAMES = 100;
export const OTHER_NAMES = '(other names)';

export interface TimelineDelta {
  /** Earliest and latest sample time of the drain (ms since the epoch). */
  from: number;
  to: number;
  /** [second start (ms since the epoch), metric, scenario tag ('' without one), state]. */
  seconds: [second: number, metric: string, scenario: string, state: AggregateState][];
  /** [metric, request name ('' without one), state since the last drain]. */
  names: [metric: string, name: string, state: AggregateState][];
  /** [request name, error (error_code, else "HTTP <status>", else "unknown"), failed requests]. */
  errors: [name: string, error: string, count: number][];
}

/** Whether a metric has timeline rows. */
export function inTimeline(metric: string): boolean {
  return TIMELINE_BUILTINS.has(metric) || !(metric in builtinMetrics);
}

/** The error a failed request is counted under. */
export function requestErrorOf(tags: Tags): string {
  return tags.error_code ? tags.error_code : tags.status ? `HTTP ${tags.status}` : 'unknown';
}

interface SecondRow {
  second: number;
  scenario: string;
  agg: Aggregate;
}

/**
 * One metric's rows. The collector holds it in the metric's entry, so a sample costs no key
 * building while it falls in the same second and scenario as the one before (a request's
 * samples alternate between metrics: a cache per metric, not one for the whole timeline).
 */
export class TimelineMetric {
  rows = new Map<string, SecondRow>();
  /** Per request name (NAMED metrics only). */
  readonly names: Map<string, Aggregate> | null;
  private last: SecondRow | null = null;

  constructor(
    private readonly timeline: Timeline,
    readonly metric: string,
    readonly type: MetricType,
  ) {
    this.names = NAMED.has(metric) ? new Map() : null;
  }

  add(value: number, tags: Tags, time: number): void {
    const tl = this.timeline;
    if (time < tl.from) tl.from = time;
    if (time > tl.to) tl.to = time;
    const second = time - (time % 1000);
    const scenario = tags.scenario ?? '';
    let row = this.last;
    if (row === null || row.second !== second || row.scenario !== scenario) {
      const key = `${second}\u0000${scenario}`;
      row = this.rows.get(key) ?? null;
      if (row === null) {
        row = { second, scenario, agg: tl.spareOf(this.type) };
        this.rows.set(key, row);
        tl.dirty = true;
      }
      this.last = row;
    }
    row.agg.add(value, time);
    const names = this.names;
    if (names === null) return;
    const name = tags.name ?? '';
    let agg = names.get(name);
    if (agg === undefined) {
      const key = tl.nameKey(name);
      agg = names.get(key);
      if (agg === undefined) {
        agg = createAggregate(this.type);
        names.set(key, agg);
      }
    }
    agg.add(value, time);
    if (value !== 0 && this.metric === 'http_req_failed') tl.failed(agg === names.get(name) ? name : OTHER_NAMES, tags);
  }

  /** Hands this metric's rows to `out` and starts over (aggregates back to the timeline's spares). */
  drainInto(out: TimelineDelta): void {
    for (const r of this.rows.values()) {
      out.seconds.push([r.second, this.metric, r.scenario, r.agg.state()]);
      r.agg.reset();
      this.timeline.spare[this.type].push(r.agg);
    }
    this.rows = new Map();
    this.last = null;
    if (this.names === null) return;
    for (const [name, agg] of this.names) {
      if (agg.samples === 0) continue;
      out.names.push([this.metric, name, agg.state()]);
      agg.reset();
    }
  }
}

export class Timeline {
  private readonly metrics = new Map<string, TimelineMetric>();
  private readonly nameSet = new Set<string>();
  private errors = new Map<string, [string, string, number]>();
  /** Reset aggregates by type, reused for the next seconds. */
  readonly spare: Record<MetricType, Aggregate[]> = { counter: [], gauge: [], rate: [], trend: [] };
  from = Number.POSITIVE_INFINITY;
  to = Number.NEGATIVE_INFINITY;
  /** Whether any row was made since the last drain. */
  dirty = false;

  /** The rows of one metric (made once; the collector keeps it with the metric). */
  metric(name: string, type: MetricType): TimelineMetric {
    let m = this.metrics.get(name);
    if (m === undefined) {
      m = new TimelineMetric(this, name, type);
      this.metrics.set(name, m);
    }
    return m;
  }

  add(metric: string, type: MetricType, value: number, tags: Tags, time: number): void {
    this.metric(metric, type).add(value, tags, time);
  }

  spareOf(type: MetricType): Aggregate {
    return this.spare[type].pop() ?? createAggregate(type);
  }

  /** The name a request is counted under: itself, or OTHER_NAMES past MAX_TIMELINE_NAMES. */
  nameKey(name: string): string {
    if (this.nameSet.has(name)) return name;
    if (this.nameSet.size >= MAX_TIMELINE_NAMES) return OTHER_NAMES;
    this.nameSet.add(name);
    return name;
  }

  failed(name: string, tags: Tags): void {
    const error = requestErrorOf(tags);
    const ek = `${name}\u0000${error}`;
    const e = this.errors.get(ek);
    if (e) e[2]++;
    else this.errors.set(ek, [name, error, 1]);
  }

  /** The rows since the last drain; undefined when there were none. */
  drain(): TimelineDelta | undefined {
    if (!this.dirty) return undefined;
    const delta: TimelineDelta = { from: this.from, to: this.to, seconds: [], names: [], errors: [...this.errors.values()] };
    for (const m of this.metrics.values()) m.drainInto(delta);
    this.errors = new Map();
    this.dirty = false;
    this.from = Number.POSITIVE_INFINITY;
    this.to = Number.NEGATIVE_INFINITY;
    return delta;
  }
}
