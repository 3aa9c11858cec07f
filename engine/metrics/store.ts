/**
 * The main thread's view of the whole test: merges every collector's deltas exactly (counts add,
 * histograms merge bucket by bucket), evaluates the thresholds (every 2 s and at the end) and
 * builds k6's handleSummary data.
 */
import { ConfigError } from '../errors.ts';
import { nodeCrypto } from '../lazy-require.ts';
import type { MetricType, ValueType } from '../types.ts';
import { createAggregate, type Aggregate, CounterAgg, GaugeAgg, RateAgg, TrendAgg } from './aggregates.ts';
import { builtinMetrics, expectedResponseSubmetric, type MetricDef } from './builtin.ts';
import type { MetricsDelta } from './collector.ts';
import { checkThresholdSets, compare, parseMetricSelector, parseThresholds, type Threshold, type ThresholdSet } from './thresholds.ts';

export const defaultSummaryTrendStats = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'] as const;

export interface ThresholdResult {
  /** The thresholds key: metric or sub-metric as written. */
  metric: string;
  /** The expression as written, e.g. "p(95)<500". */
  source: string;
  ok: boolean;
  /** The aggregated value compared (undefined when the metric has no samples). */
  value?: number;
  abortOnFail: boolean;
}

export interface ThresholdEvaluation {
  results: ThresholdResult[];
  /** Results that are crossed now. */
  crossed: ThresholdResult[];
  /** An abortOnFail threshold is crossed and its delayAbortEval has passed: stop the test. */
  abort: boolean;
}

/** k6's handleSummary `data` (documented keys and types). */
export interface SummaryCheck {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}
export interface SummaryGroup {
  name: string;
  path: string;
  id: string;
  groups: SummaryGroup[];
  checks: SummaryCheck[];
}
export interface SummaryMetric {
  type: MetricType;
  contains: ValueType;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}
export interface SummaryData {
  root_group: SummaryGroup;
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  metrics: Record<string, SummaryMetric>;
  setup_data?: unknown;
}

export interface SummaryDataOptions {
  testRunDurationMs: number;
  summaryTrendStats?: readonly string[];
  summaryTimeUnit?: string;
  noColor?: boolean;
  isStdOutTTY?: boolean;
  isStdErrTTY?: boolean;
  /** setup()'s return value (already a plain value). */
  setupData?: unknown;
}

export interface MetricsStoreOptions {
  thresholds?: Record<string, unknown>;
  /** The same, already parsed (a run parses them once, in prepare()); used instead of `thresholds`. */
  thresholdSets?: readonly ThresholdSet[];
  /** options.summaryTrendStats, checked by validate(). */
  summaryTrendStats?: unknown;
  /** Skip thresholds altogether (--no-thresholds). */
  noThresholds?: boolean;
}

function md5(s: string): string {
  return nodeCrypto().createHash('md5').update(s).digest('hex');
}

/** A summaryTrendStats entry → its value from a trend ("avg", "min", "med", "max", "count", "p(N)"). */
function trendStat(agg: TrendAgg, stat: string): number | undefined {
  const h = agg.h;
  switch (stat) {
    case 'avg':
      return h.avg;
    case 'min':
      return h.count === 0 ? 0 : h.min;
    case 'max':
      return h.count === 0 ? 0 : h.max;
    case 'med':
      return h.percentile(0.5);
    case 'count':
      return h.count;
  }
  const m = /^p\(\s*([0-9.]+)\s*\)$/.exec(stat);
  if (m) return h.percentile(Number(m[1]) / 100);
  return undefined;
}

export class MetricsStore {
  private readonly defs = new Map<string, MetricDef>();
  /** Metric and sub-metric aggregates by name (`http_req_duration{expected_response:true}`). */
  private readonly aggs = new Map<string, Aggregate>();
  private readonly checks = new Map<string, [string, string, number, number]>();
  private readonly groupPaths = new Set<string>();
  private sets: ThresholdSet[];
  /** Thresholds that made the test abort stay failed. */
  private readonly tainted = new Set<string>();

  constructor(private readonly opts: MetricsStoreOptions = {}) {
    for (const [name, def] of Object.entries(builtinMetrics)) this.defs.set(name, def);
    this.sets = opts.noThresholds ? [] : [...(opts.thresholdSets ?? parseThresholds(opts.thresholds))];
  }

  define(name: string, type: MetricType, contains: ValueType = 'default'): void {
    const had = this.defs.get(name);
    if (had && had.type !== type) throw new Error(`metric '${name}' already exists but with type ${had.type}, instead of ${type}`);
    if (!had) this.defs.set(name, { type, contains });
  }

  metricTypes(): Record<string, MetricType> {
    const out: Record<string, MetricType> = {};
    for (const [n, d] of this.defs) out[n] = d.type;
    return out;
  }

  definition(name: string): MetricDef | undefined {
    return this.defs.get(name);
  }

  /** Validates the thresholds against the metrics declared so far (built-ins + custom): ConfigError on error. */
  validate(): void {
    if (this.opts.summaryTrendStats !== undefined) validateSummaryTrendStats(this.opts.summaryTrendStats);
    if (!this.opts.noThresholds) checkThresholdSets(this.sets, this.metricTypes());
  }

  merge(delta: MetricsDelta | unknown): void {
    const d = delta as MetricsDelta;
    if (!d || d.v !== 1) return;
    for (const [name, type, contains] of d.defs) this.define(name, type, contains);
    for (const [key, state] of d.metrics) {
      let agg = this.aggs.get(key);
      if (!agg) {
        agg = createAggregate(state.t);
        this.aggs.set(key, agg);
      }
      agg.merge(state);
    }
    for (const [group, check, passes, fails] of d.checks) {
      const k = `${group}\u0000${check}`;
      const c = this.checks.get(k);
      if (c) {
        c[2] += passes;
        c[3] += fails;
      } else this.checks.set(k, [group, check, passes, fails]);
    }
    for (const g of d.groups) this.groupPaths.add(g);
  }

  /** The aggregate of a metric or sub-metric (undefined when it has no samples yet). */
  aggregate(name: string): Aggregate | undefined {
    return this.aggs.get(name);
  }

  private thresholdValue(set: ThresholdSet, t: Threshold, elapsedMs: number, final: boolean): number | undefined {
    let agg = this.aggs.get(set.selector.name);
    if (!agg || agg.samples === 0) {
      // k6 skips an empty metric while the test runs, but its final evaluation judges the empty
      // sink: a Counter counts 0, a Trend's p(95) is 0, a Rate is 0, a Gauge's value is 0.
      if (!final) return undefined;
      const def = this.defs.get(set.selector.metric);
      if (!def) return undefined;
      agg = createAggregate(def.type);
    }
    if (agg instanceof CounterAgg) return t.aggregation === 'rate' ? (elapsedMs > 0 ? agg.sum / (elapsedMs / 1000) : 0) : agg.sum;
    if (agg instanceof GaugeAgg) return agg.last;
    if (agg instanceof RateAgg) return agg.rate;
    if (agg instanceof TrendAgg) {
      if (t.aggregation === 'p') return agg.h.percentile((t.percentile as number) / 100);
      return trendStat(agg, t.aggregation);
    }
    return undefined;
  }

  /**
   * Evaluates every threshold now. `elapsedMs` is the time since the test started (for counter
   * rates and delayAbortEval). During the run (`final` false) a metric with no samples passes;
   * the final evaluation judges it with its empty values, as k6 does (`count>5` on a Counter that
   * never got a sample is crossed).
   */
  evaluateThresholds(elapsedMs: number, { final = false }: { final?: boolean } = {}): ThresholdEvaluation {
    const results: ThresholdResult[] = [];
    let abort = false;
    for (const set of this.sets) {
      for (const t of set.thresholds) {
        const value = this.thresholdValue(set, t, elapsedMs, final);
        const id = `${set.selector.key}\u0000${t.source}`;
        let ok = value === undefined ? true : compare(value, t.operator, t.value);
        if (!ok && t.abortOnFail && elapsedMs >= t.delayAbortEvalMs) {
          abort = true;
          this.tainted.add(id);
        }
        if (this.tainted.has(id)) ok = false;
        results.push({ metric: set.selector.key, source: t.source, ok, value, abortOnFail: t.abortOnFail });
      }
    }
    return { results, crossed: results.filter((r) => !r.ok), abort };
  }

  /**
   * Everything merged so far as one delta (custom metric definitions, every metric and sub-metric
   * with samples, checks, groups): merging it into a fresh store with the same thresholds rebuilds
   * this one exactly. The segment result (segment-result.ts) is this snapshot written down.
   */
  snapshot(): MetricsDelta {
    const defs: MetricsDelta['defs'] = [];
    for (const [name, d] of this.defs) if (!(name in builtinMetrics)) defs.push([name, d.type, d.contains]);
    const metrics: MetricsDelta['metrics'] = [];
    for (const [key, agg] of this.aggs) if (agg.samples > 0) metrics.push([key, agg.state()]);
    return { v: 1, defs, metrics, checks: [...this.checks.values()].map((c) => [...c]), groups: [...this.groupPaths] };
  }

  /** Thresholds as configured: key → parsed set (for outputs that list them). */
  thresholdSets(): readonly ThresholdSet[] {
    return this.sets;
  }

  private rootGroup(): SummaryGroup {
    const byPath = new Map<string, SummaryGroup>();
    const root: SummaryGroup = { name: '', path: '', id: md5(''), groups: [], checks: [] };
    byPath.set('', root);
    const ensure = (path: string): SummaryGroup => {
      const found = byPath.get(path);
      if (found) return found;
      const cut = path.lastIndexOf('::');
      const parentPath = cut <= 0 ? '' : path.slice(0, cut);
      const parent = ensure(parentPath);
      const g: SummaryGroup = { name: path.slice(cut + 2), path, id: md5(path), groups: [], checks: [] };
      parent.groups.push(g);
      byPath.set(path, g);
      return g;
    };
    for (const p of this.groupPaths) ensure(p);
    for (const [group, name, passes, fails] of this.checks.values()) {
      const g = ensure(group);
      const path = `${group}::${name}`;
      g.checks.push({ name, path, id: md5(path), passes, fails });
    }
    return root;
  }

  /** k6's handleSummary data. Thresholds are evaluated at testRunDurationMs, as the final evaluation. */
  summaryData(o: SummaryDataOptions): SummaryData {
    const stats = [...(o.summaryTrendStats ?? defaultSummaryTrendStats)];
    const evaluation = this.evaluateThresholds(o.testRunDurationMs, { final: true });
    const thresholdsByKey = new Map<string, Record<string, { ok: boolean }>>();
    for (const r of evaluation.results) {
      const name = parseMetricSelector(r.metric).name;
      const rec = thresholdsByKey.get(name) ?? {};
      rec[r.source] = { ok: r.ok };
      thresholdsByKey.set(name, rec);
    }
    const seconds = o.testRunDurationMs / 1000;
    const metrics: Record<string, SummaryMetric> = {};
    const names = new Set<string>([...this.aggs.keys()].filter((k) => (this.aggs.get(k) as Aggregate).samples > 0));
    for (const k of thresholdsByKey.keys()) names.add(k);
    for (const name of [...names].sort()) {
      const base = name.includes('{') ? name.slice(0, name.indexOf('{')) : name;
      const def = this.defs.get(base);
      if (!def) continue;
      const agg = this.aggs.get(name) ?? createAggregate(def.type);
      const values: Record<string, number> = {};
      if (agg instanceof CounterAgg) {
        values.count = agg.sum;
        values.rate = seconds > 0 ? agg.sum / seconds : 0;
      } else if (agg instanceof GaugeAgg) {
        values.value = agg.last;
        values.min = agg.samples ? agg.min : 0;
        values.max = agg.samples ? agg.max : 0;
      } else if (agg instanceof RateAgg) {
        values.rate = agg.rate;
        values.passes = agg.passes;
        values.fails = agg.total - agg.passes;
      } else if (agg instanceof TrendAgg) {
        for (const s of stats) {
          const v = trendStat(agg, s);
          if (v !== undefined) values[s] = v;
        }
        // The summary shows each threshold's value, so a threshold's statistic is reported even
        // when summaryTrendStats leaves it out.
        for (const set of this.sets) {
          if (set.selector.name !== name) continue;
          for (const t of set.thresholds) {
            if (values[t.aggregationName] !== undefined) continue;
            const v = t.aggregation === 'p' ? agg.h.percentile((t.percentile as number) / 100) : trendStat(agg, t.aggregation);
            if (v !== undefined) values[t.aggregationName] = v;
          }
        }
      }
      const m: SummaryMetric = { type: def.type, contains: def.contains, values };
      const th = thresholdsByKey.get(name);
      if (th) m.thresholds = th;
      metrics[name] = m;
    }
    const data: SummaryData = {
      root_group: this.rootGroup(),
      options: { summaryTrendStats: stats, summaryTimeUnit: o.summaryTimeUnit ?? '', noColor: o.noColor === true },
      state: { isStdOutTTY: o.isStdOutTTY === true, isStdErrTTY: o.isStdErrTTY === true, testRunDurationMs: o.testRunDurationMs },
      metrics,
    };
    if (o.setupData !== undefined) data.setup_data = o.setupData;
    return data;
  }
}

const trendStatRule = /^(avg|min|med|max|count|p\(\s*(\d+(\.\d+)?)\s*\))$/;

/**
 * options.summaryTrendStats: avg, min, med, max, count or p(N) with 0 ≤ N ≤ 100. Anything else is
 * a ConfigError (exit 104) naming the entry.
 */
export function validateSummaryTrendStats(stats: unknown): string[] {
  if (!Array.isArray(stats)) throw new ConfigError('summaryTrendStats', 'expected an array such as ["avg", "min", "med", "max", "p(90)", "p(95)"]');
  stats.forEach((s, i) => {
    const m = typeof s === 'string' ? trendStatRule.exec(s.trim()) : null;
    if (!m || (m[2] !== undefined && Number(m[2]) > 100)) {
      throw new ConfigError(`summaryTrendStats[${i}]`, `stat ${JSON.stringify(s)} is not supported; use avg, min, med, max, count or p(N) with N between 0 and 100`);
    }
  });
  return stats as string[];
}

/** k6's end-of-test message for crossed thresholds: "thresholds on metrics 'a, b' have been crossed". */
export function crossedThresholdsMessage(e: ThresholdEvaluation): string {
  const metrics = [...new Set(e.crossed.map((r) => r.metric))].join(', ');
  return `thresholds on metrics '${metrics}' have been crossed`;
}

/** k6's message when abortOnFail stops the test. */
export function abortOnFailMessage(e: ThresholdEvaluation): string {
  const metrics = [...new Set(e.crossed.filter((r) => r.abortOnFail).map((r) => r.metric))].join(', ');
  return `thresholds on metrics '${metrics}' were crossed; at least one has abortOnFail enabled, stopping test prematurely`;
}

export { expectedResponseSubmetric };
