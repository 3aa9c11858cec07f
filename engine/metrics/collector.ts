/**
 * The per-process metric sink (one per worker thread, one on the main thread): aggregates every
 * sample in constant memory — per metric, per sub-metric named in the thresholds (plus
 * http_req_duration{expected_response:true}), and per (group path, check name) — and hands the
 * change since the last drain to whoever owns the MetricsStore as a compact MetricsDelta.
 */
import type { MetricSink, MetricType, Tags, ValueType } from '../types.ts';
import { createAggregate, type Aggregate, type AggregateState } from './aggregates.ts';
import { builtinMetrics, expectedResponseSubmetric, type MetricDef } from './builtin.ts';
import { parseMetricSelector, parseThresholds, type MetricSelector, type ThresholdSet } from './thresholds.ts';
import { inTimeline, Timeline, type TimelineDelta, type TimelineMetric } from './timeline.ts';

/** One raw sample as outputs (json, csv) see it. `time` is ms since the epoch. */
export interface Sample {
  metric: string;
  time: number;
  value: number;
  tags: Tags;
}

/**
 * What a collector hands over per drain. Plain arrays and objects only: structured-cloneable for
 * worker → main postMessage and JSON-safe for pods. Only metrics that received samples since the
 * last drain appear.
 */
export interface MetricsDelta {
  /** Format version. */
  v: 1;
  /** Metrics first declared since the last drain (custom metrics; built-ins are known everywhere). */
  defs: [name: string, type: MetricType, contains: ValueType][];
  /** [metric or sub-metric name (`name{k:v}`), aggregate state since the last drain]. */
  metrics: [key: string, state: AggregateState][];
  /** [group path ('' root, '::a::b'), check name, passes, fails]. */
  checks: [group: string, check: string, passes: number, fails: number][];
  /** Group paths seen (from checks and group_duration) since the last drain. */
  groups: string[];
  /** Raw samples, only when the collector keeps samples (outputs need them). */
  samples?: Sample[];
  /** Per-second aggregates for charts (timeline.ts), only when the collector keeps a timeline. */
  timeline?: TimelineDelta;
}

export interface CollectorOptions {
  /** options.thresholds: which sub-metrics to aggregate. */
  thresholds?: Record<string, unknown>;
  /** The same, already parsed (a run parses them once, in prepare()); used instead of `thresholds`. */
  thresholdSets?: readonly ThresholdSet[];
  /** Keep raw samples for outputs (json/csv); drain hands them over and forgets them. */
  keepSamples?: boolean;
  /** Keep per-second aggregates for charts (the report, the dashboard): timeline.ts. */
  keepTimeline?: boolean;
}

export interface Collector extends MetricSink {
  addMany(names: readonly string[], values: readonly number[], tags: Tags, time?: number): void;
  drain(): MetricsDelta;
  /** Known metric definitions (built-ins and custom). */
  definitions(): ReadonlyMap<string, MetricDef>;
}

interface SubAgg {
  selector: MetricSelector;
  agg: Aggregate;
}

/** Sub-metric selectors per metric: those in the thresholds plus expected_response:true. */
export function submetricSelectors(thresholds: Record<string, unknown> | readonly ThresholdSet[] | undefined): Map<string, MetricSelector[]> {
  const byMetric = new Map<string, MetricSelector[]>();
  const add = (s: MetricSelector) => {
    if (!s.tags) return;
    const list = byMetric.get(s.metric) ?? [];
    if (!list.some((x) => x.name === s.name)) list.push(s);
    byMetric.set(s.metric, list);
  };
  add(parseMetricSelector(expectedResponseSubmetric));
  for (const set of Array.isArray(thresholds) ? (thresholds as readonly ThresholdSet[]) : parseThresholds(thresholds as Record<string, unknown> | undefined)) add(set.selector);
  return byMetric;
}

/** Whether `tags` contain every key:value of `filter` (k6's sub-metric rule). */
export function tagsMatch(filter: Tags, tags: Tags): boolean {
  for (const k in filter) if (tags[k] !== filter[k]) return false;
  return true;
}

export function defineConflictMessage(name: string, had: MetricType, wanted: MetricType): string {
  return `metric '${name}' already exists but with type ${had}, instead of ${wanted}`;
}

/** Everything the hot path needs for one metric, found with a single Map lookup. */
interface Entry {
  def: MetricDef;
  agg: Aggregate;
  subs: SubAgg[];
  /** Its rows in the timeline (when the collector keeps one and charts this metric). */
  timeline: TimelineMetric | null;
}

/** How many names lists addMany remembers (see MetricsCollector.nameLists). */
const NAME_LISTS = 4;

class MetricsCollector implements Collector {
  private readonly defs = new Map<string, MetricDef>();
  private readonly entries = new Map<string, Entry>();
  private newDefs: [string, MetricType, ValueType][] = [];
  private readonly subSelectors: Map<string, MetricSelector[]>;
  private checks = new Map<string, [string, string, number, number]>();
  private groups = new Set<string>();
  private samples: Sample[] = [];
  private readonly timeline: Timeline | null;
  /**
   * The names lists addMany saw last and their entries: samples come in a few constant lists (a
   * request's k6/http HOP_METRICS, an iteration's ITERATION_METRICS, its data_sent/received), so
   * they are recorded without a Map lookup each. Found by identity among the last NAME_LISTS;
   * entries are never replaced once declared, so a pair stays valid.
   */
  private readonly nameLists: (readonly string[])[] = [];
  private readonly entryLists: Entry[][] = [];
  private nextNameList = 0;

  constructor(private readonly opts: CollectorOptions) {
    this.timeline = opts.keepTimeline ? new Timeline() : null;
    this.subSelectors = submetricSelectors(opts.thresholdSets ?? opts.thresholds);
    for (const [name, def] of Object.entries(builtinMetrics)) this.declare(name, def);
  }

  private declare(name: string, def: MetricDef): void {
    this.defs.set(name, def);
    const subs = (this.subSelectors.get(name) ?? []).map((selector) => ({ selector, agg: createAggregate(def.type) }));
    const timeline = this.timeline !== null && inTimeline(name) ? this.timeline.metric(name, def.type) : null;
    this.entries.set(name, { def, agg: createAggregate(def.type), subs, timeline });
  }

  definitions(): ReadonlyMap<string, MetricDef> {
    return this.defs;
  }

  define(name: string, type: MetricType, contains: ValueType = 'default'): void {
    const had = this.defs.get(name);
    if (had) {
      if (had.type !== type) throw new Error(defineConflictMessage(name, had.type, type));
      return;
    }
    this.declare(name, { type, contains });
    this.newDefs.push([name, type, contains]);
  }

  add(name: string, value: number, tags: Tags, time?: number): void {
    this.record(this.entry(name), name, value, tags, time ?? Date.now());
  }

  addMany(names: readonly string[], values: readonly number[], tags: Tags, time?: number): void {
    const lists = this.nameLists;
    let entries: Entry[] | undefined;
    for (let i = 0; i < lists.length; i++)
      if (lists[i] === names) {
        entries = this.entryLists[i]!;
        break;
      }
    if (entries === undefined) {
      entries = names.map((name) => this.entry(name));
      const slot = this.nextNameList;
      this.nextNameList = (slot + 1) % NAME_LISTS;
      lists[slot] = names;
      this.entryLists[slot] = entries;
    }
    const t = time ?? Date.now();
    for (let i = 0; i < values.length; i++) this.record(entries[i]!, names[i]!, values[i]!, tags, t);
  }

  private entry(name: string): Entry {
    const e = this.entries.get(name);
    if (e === undefined) throw new Error(`metric '${name}' was not declared before its first sample`);
    return e;
  }

  private record(e: Entry, name: string, value: number, tags: Tags, t: number): void {
    if (typeof value !== 'number' || value !== value) return;
    e.agg.add(value, t);
    const subs = e.subs;
    for (let i = 0; i < subs.length; i++) {
      const s = subs[i] as SubAgg;
      if (tagsMatch(s.selector.tags as Tags, tags)) s.agg.add(value, t);
    }
    if (name === 'checks') {
      const group = tags.group ?? '';
      const check = tags.check ?? '';
      const key = `${group}\u0000${check}`;
      let c = this.checks.get(key);
      if (!c) {
        c = [group, check, 0, 0];
        this.checks.set(key, c);
      }
      if (value !== 0) c[2]++;
      else c[3]++;
      if (group !== '') this.groups.add(group);
    } else if (name === 'group_duration' && tags.group) {
      this.groups.add(tags.group);
    }
    if (e.timeline !== null) e.timeline.add(value, tags, t);
    if (this.opts.keepSamples) this.samples.push({ metric: name, time: t, value, tags });
  }

  drain(): MetricsDelta {
    const metrics: [string, AggregateState][] = [];
    for (const [name, e] of this.entries) {
      if (e.agg.samples > 0) {
        metrics.push([name, e.agg.state()]);
        e.agg.reset();
      }
      for (const s of e.subs) {
        if (s.agg.samples > 0) {
          metrics.push([s.selector.name, s.agg.state()]);
          s.agg.reset();
        }
      }
    }
    const delta: MetricsDelta = {
      v: 1,
      defs: this.newDefs,
      metrics,
      checks: [...this.checks.values()],
      groups: [...this.groups],
    };
    if (this.opts.keepSamples) delta.samples = this.samples;
    const timeline = this.timeline?.drain();
    if (timeline) delta.timeline = timeline;
    this.newDefs = [];
    this.checks = new Map();
    this.groups = new Set();
    this.samples = [];
    return delta;
  }
}

/** One collector per process (worker thread); implements MetricSink with every k6 built-in pre-declared. */
export function createCollector(opts: CollectorOptions = {}): Collector {
  return new MetricsCollector(opts);
}
