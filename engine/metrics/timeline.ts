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
  metric: string;
  scenario: string;
  agg: Aggregate;
}

export class Timeline {
  private rows = new Map<string, SecondRow>();
  private readonly names = new Map<string, Aggregate>();
  private readonly nameCount = new Set<string>();
  private errors = new Map<string, [string, string, number]>();
  /** Reset aggregates by type, reused for the next seconds. */
  private readonly spare: Record<MetricType, Aggregate[]> = { counter: [], gauge: [], rate: [], trend: [] };
  private from = Number.POSITIVE_INFINITY;
  private to = Number.NEGATIVE_INFINITY;
  /** The last row used (samples come in time order, mostly of the same second and scenario). */
  private last: SecondRow | null = null;

  add(metric: string, type: MetricType, value: number, tags: Tags, time: number): void {
    if (time < this.from) this.from = time;
    if (time > this.to) this.to = time;
    const second = time - (time % 1000);
    const scenario = tags.scenario ?? '';
    let row = this.last;
    if (row === null || row.metric !== metric || row.second !== second || row.scenario !== scenario) {
      const key = `${second}\u0000${metric}\u0000${scenario}`;
      row = this.rows.get(key) ?? null;
      if (row === null) {
        row = { second, metric, scenario, agg: this.spare[type].pop() ?? createAggregate(type) };
        this.rows.set(key, row);
      }
      this.last = row;
    }
    row.agg.add(value, time);
    if (!NAMED.has(metric)) return;
    let name = tags.name ?? '';
    if (!this.nameCount.has(name)) {
      if (this.nameCount.size >= MAX_TIMELINE_NAMES) name = OTHER_NAMES;
      else this.nameCount.add(name);
    }
    const nk = `${metric}\u0000${name}`;
    let agg = this.names.get(nk);
    if (agg === undefined) {
      agg = createAggregate(type);
      this.names.set(nk, agg);
    }
    agg.add(value, time);
    if (metric === 'http_req_failed' && value !== 0) {
      const error = requestErrorOf(tags);
      const ek = `${name}\u0000${error}`;
      const e = this.errors.get(ek);
      if (e) e[2]++;
      else this.errors.set(ek, [name, error, 1]);
    }
  }

  /** The rows since the last drain; undefined when there were none. */
  drain(): TimelineDelta | undefined {
    if (this.rows.size === 0) return undefined;
    const seconds: TimelineDelta['seconds'] = [];
    for (const r of this.rows.values()) {
      seconds.push([r.second, r.metric, r.scenario, r.agg.state()]);
      r.agg.reset();
      this.spare[r.agg.type].push(r.agg);
    }
    const names: TimelineDelta['names'] = [];
    for (const [k, agg] of this.names) {
      if (agg.samples === 0) continue;
      const i = k.indexOf('\u0000');
      names.push([k.slice(0, i), k.slice(i + 1), agg.state()]);
      agg.reset();
    }
    const delta: TimelineDelta = { from: this.from, to: this.to, seconds, names, errors: [...this.errors.values()] };
    this.rows = new Map();
    this.errors = new Map();
    this.last = null;
    this.from = Number.POSITIVE_INFINITY;
    this.to = Number.NEGATIVE_INFINITY;
    return delta;
  }
}
