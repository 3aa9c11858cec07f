/**
 * Turns the run's per-second aggregates (engine/metrics/timeline.ts: computed in the workers'
 * collectors, so no raw sample crosses to the main thread) into the report's time series and
 * per-request statistics in constant memory: rows fall into time buckets (1 s to start with; a
 * worker's second always falls in one bucket); a bucket is closed into one
 * small row of numbers once samples 1 s past its end arrive; when there are more than MAX_POINTS
 * rows, neighbours merge pairwise and the bucket width doubles. A 20-minute run keeps ≤ 600 rows of
 * 2 s; a day-long soak the same number of wider ones. Percentiles of merged rows are the
 * count-weighted mean of the two (a chart's approximation; the report's end-of-test numbers come
 * from the summary data).
 */
import type { MetricDef } from '../engine/metrics/builtin.ts';
import { builtinMetrics } from '../engine/metrics/builtin.ts';
import type { AggregateState, TrendAggState } from '../engine/metrics/aggregates.ts';
import type { Sample } from '../engine/metrics/collector.ts';
import { inTimeline, MAX_TIMELINE_NAMES, OTHER_NAMES, Timeline, type TimelineDelta } from '../engine/metrics/timeline.ts';
import type { Column, RequestStats, SeriesData } from './data.ts';
import { LogHistogram } from './log-histogram.ts';

export const MAX_POINTS = 600;
const START_BUCKET_MS = 1000;
/** A bucket closes once a sample this far past its end has arrived (workers report every 0.5 s; a later straggler joins the newest closed row). */
const GRACE_MS = 1000;
const MAX_CUSTOM = 40;
const PCTS = [0.5, 0.95, 0.99] as const;

/** What a closed bucket keeps: sums, last gauge values, and trend percentiles with their counts. */
interface Row {
  i: number;
  add: Map<string, number>;
  gauge: Map<string, [time: number, value: number]>;
  trend: Map<string, [n: number, p50: number, p95: number, p99: number]>;
}

interface OpenBucket {
  i: number;
  add: Map<string, number>;
  gauge: Map<string, [number, number]>;
  trend: Map<string, LogHistogram>;
}

interface NameAcc {
  count: number;
  failed: number;
  failedOf: number;
  h: LogHistogram;
  errors: Map<string, number>;
}

interface ScenarioKeys {
  reqs: string;
  dur: string;
  fail: string;
  failN: string;
}

function bump(m: Map<string, number>, k: string, v: number): void {
  m.set(k, (m.get(k) ?? 0) + v);
}

export class RunRecorder {
  private t0 = Number.NaN;
  private lastMs = Number.NaN;
  private maxSeen = Number.NEGATIVE_INFINITY;
  private bucketMs = START_BUCKET_MS;
  private rows: Row[] = [];
  private open = new Map<number, OpenBucket>();
  private readonly names = new Map<string, NameAcc>();
  private readonly custom = new Map<string, MetricDef>();
  private readonly scenarioKeyCache = new Map<string, ScenarioKeys>();
  private lastBucket: OpenBucket | null = null;
  private lastFrom = 0;
  private lastTo = 0;
  /** Whole-run sums for the live view (the final report takes the summary's exact numbers). */
  private readonly totals = new Map<string, number>();
  private vusNow = 0;
  private vusAt = Number.NEGATIVE_INFINITY;
  private vusMax = 0;

  /** `definition` tells a custom metric's type (the output's start info). */
  constructor(private readonly definition: (name: string) => MetricDef | undefined = () => undefined) {}

  /**
   * One collector's per-second aggregates (engine/metrics/timeline.ts), as its deltas arrive: what
   * the workers computed from their samples, so no raw sample crosses to the main thread for a chart.
   */
  addTimeline(tl: TimelineDelta): void {
    if (tl.seconds.length === 0 && tl.names.length === 0) return;
    if (Number.isNaN(this.t0)) this.t0 = Math.floor(tl.from / 1000) * 1000;
    if (tl.to > this.maxSeen) this.maxSeen = tl.to;
    if (!(tl.to <= this.lastMs)) this.lastMs = tl.to;
    for (const [second, metric, scenario, state] of tl.seconds) this.addRow(this.bucket(second), metric, scenario, state);
    for (const [metric, name, state] of tl.names) this.addName(metric, name, state);
    for (const [name, error, count] of tl.errors) bump(this.name(name).errors, error, count);
    this.closeOld();
  }

  /** Raw samples (tests, a recorded run): aggregated as a worker's collector would, then added as its timeline. */
  addSamples(samples: readonly Sample[]): void {
    const tl = new Timeline();
    for (const s of samples) {
      if (!inTimeline(s.metric)) continue;
      const type = builtinMetrics[s.metric]?.type ?? this.definition(s.metric)?.type ?? 'gauge';
      tl.add(s.metric, type, s.value, s.tags, s.time);
    }
    const delta = tl.drain();
    if (delta) this.addTimeline(delta);
  }

  private name(name: string): NameAcc {
    let key = name;
    if (!this.names.has(key) && this.names.size >= MAX_TIMELINE_NAMES) key = OTHER_NAMES;
    let a = this.names.get(key);
    if (!a) {
      a = { count: 0, failed: 0, failedOf: 0, h: new LogHistogram(), errors: new Map() };
      this.names.set(key, a);
    }
    return a;
  }

  private trend(b: OpenBucket, key: string, st: TrendAggState): void {
    let h = b.trend.get(key);
    if (!h) {
      h = new LogHistogram();
      b.trend.set(key, h);
    }
    h.addTrendState(st);
  }

  /** The bucket of time t; the last one is cached (samples arrive mostly in time order). */
  private bucket(t: number): OpenBucket {
    const last = this.lastBucket;
    if (last !== null && t >= this.lastFrom && t < this.lastTo) return last;
    if (Number.isNaN(this.t0)) this.t0 = Math.floor(t / 1000) * 1000;
    const i = Math.max(0, Math.floor((t - this.t0) / this.bucketMs));
    let b = this.open.get(i);
    if (!b) {
      b = { i, add: new Map(), gauge: new Map(), trend: new Map() };
      this.open.set(i, b);
    }
    this.lastBucket = b;
    this.lastFrom = i === 0 ? Number.NEGATIVE_INFINITY : this.t0 + i * this.bucketMs;
    this.lastTo = this.t0 + (i + 1) * this.bucketMs;
    return b;
  }

  /** Per-scenario series keys, made once per scenario (the first 20 scenarios get series). */
  private scenarioKeys(scen: string): ScenarioKeys | undefined {
    let k = this.scenarioKeyCache.get(scen);
    if (k === undefined) {
      if (this.scenarioKeyCache.size >= 20) return undefined;
      const p = `s\u0000${scen}\u0000`;
      k = { reqs: `${p}reqs`, dur: `${p}dur`, fail: `${p}fail`, failN: `${p}failN` };
      this.scenarioKeyCache.set(scen, k);
    }
    return k;
  }

  /** One row of a metric in one second (and scenario) from a collector's timeline. */
  private addRow(b: OpenBucket, m: string, scenario: string, st: AggregateState): void {
    const sk = scenario === '' ? undefined : this.scenarioKeys(scenario);
    switch (m) {
      case 'http_reqs': {
        if (st.t !== 'counter') return;
        bump(b.add, 'reqs', st.sum);
        if (sk) bump(b.add, sk.reqs, st.sum);
        bump(this.totals, m, st.sum);
        return;
      }
      case 'http_req_duration':
        if (st.t !== 'trend') return;
        this.trend(b, 'dur', st);
        if (sk) this.trend(b, sk.dur, st);
        return;
      case 'http_req_failed':
      case 'checks': {
        if (st.t !== 'rate') return;
        const [pass, n] = m === 'checks' ? ['chkP', 'chkN'] : ['fail', 'failN'];
        bump(b.add, pass as string, st.passes);
        bump(b.add, n as string, st.total);
        if (sk && m === 'http_req_failed') {
          bump(b.add, sk.fail, st.passes);
          bump(b.add, sk.failN, st.total);
        }
        bump(this.totals, m, st.passes);
        bump(this.totals, `${m}\u0000n`, st.total);
        return;
      }
      case 'vus':
      case 'vus_max':
        if (st.t !== 'gauge') return;
        this.gauge(b, m, st.time, st.last);
        if (m === 'vus' && st.time >= this.vusAt) {
          this.vusNow = st.last;
          this.vusAt = st.time;
        }
        if (m === 'vus_max' && st.max > this.vusMax) this.vusMax = st.max;
        return;
      case 'dropped_iterations':
      case 'iterations':
        if (st.t !== 'counter') return;
        bump(b.add, m === 'iterations' ? 'iters' : 'dropped', st.sum);
        bump(this.totals, m, st.sum);
        return;
    }
    if (m in builtinMetrics) return; // a built-in no chart shows
    let def = this.custom.get(m);
    if (!def) {
      if (this.custom.size >= MAX_CUSTOM) return;
      def = this.definition(m) ?? { type: st.t, contains: 'default' };
      this.custom.set(m, def);
    }
    const ck = `c\u0000${m}`;
    if (st.t === 'gauge') this.gauge(b, ck, st.time, st.last);
    else if (st.t === 'trend') this.trend(b, ck, st);
    else if (st.t === 'counter') bump(b.add, ck, st.sum);
    else {
      bump(b.add, `${ck}\u0000pass`, st.passes);
      bump(b.add, `${ck}\u0000n`, st.total);
    }
  }

  /** A request name's rows since the collector's last drain. */
  private addName(m: string, name: string, st: AggregateState): void {
    const n = this.name(name);
    if (m === 'http_reqs' && st.t === 'counter') n.count += st.sum;
    else if (m === 'http_req_duration' && st.t === 'trend') n.h.addTrendState(st);
    else if (m === 'http_req_failed' && st.t === 'rate') {
      n.failedOf += st.total;
      n.failed += st.passes;
    }
  }

  /** Summary-shaped metrics from the samples so far, for the live dashboard (percentiles ±1 %). */
  liveMetrics(elapsedMs: number): Record<string, { type: MetricDef['type']; contains: MetricDef['contains']; values: Record<string, number> }> {
    const secs = Math.max(elapsedMs, 1) / 1000;
    const tot = (k: string) => this.totals.get(k) ?? 0;
    const all = new LogHistogram();
    for (const a of this.names.values()) all.merge(a.h);
    const counter = (k: string) => ({ type: 'counter' as const, contains: 'default' as const, values: { count: tot(k), rate: tot(k) / secs } });
    const rate = (k: string) => ({ type: 'rate' as const, contains: 'default' as const, values: { rate: tot(`${k}\u0000n`) ? tot(k) / tot(`${k}\u0000n`) : 0, passes: tot(k), fails: tot(`${k}\u0000n`) - tot(k) } });
    const out: ReturnType<RunRecorder['liveMetrics']> = {
      http_reqs: counter('http_reqs'),
      iterations: counter('iterations'),
      dropped_iterations: counter('dropped_iterations'),
      http_req_failed: rate('http_req_failed'),
      checks: rate('checks'),
      vus: { type: 'gauge', contains: 'default', values: { value: this.vusNow } },
      vus_max: { type: 'gauge', contains: 'default', values: { value: this.vusMax, max: this.vusMax } },
    };
    if (all.count) {
      out.http_req_duration = {
        type: 'trend',
        contains: 'time',
        values: { med: all.percentile(0.5) as number, 'p(95)': all.percentile(0.95) as number, 'p(99)': all.percentile(0.99) as number, min: all.min, max: all.max },
      };
    }
    return out;
  }

  private gauge(b: OpenBucket, key: string, t: number, v: number): void {
    const had = b.gauge.get(key);
    if (!had || t >= had[0]) b.gauge.set(key, [t, v]);
  }

  /** Closes the buckets that no sample will reach any more (all of them with `all`). */
  private closeOld(all = false): void {
    if (this.open.size === 0) return;
    this.lastBucket = null;
    const limit = all ? Number.POSITIVE_INFINITY : Math.floor((this.maxSeen - GRACE_MS - this.t0) / this.bucketMs);
    for (const i of [...this.open.keys()].sort((a, b) => a - b)) {
      if (i >= limit) break;
      this.pushRow(closeBucket(this.open.get(i) as OpenBucket));
      this.open.delete(i);
    }
    while (this.rows.length > MAX_POINTS) this.halve();
  }

  private pushRow(r: Row): void {
    const last = this.rows[this.rows.length - 1];
    if (last && last.i >= r.i) mergeRow(last, r);
    else this.rows.push(r);
  }

  /** Doubles the bucket width: rows and open buckets merge pairwise. */
  private halve(): void {
    this.lastBucket = null;
    this.bucketMs *= 2;
    const rows = this.rows;
    this.rows = [];
    for (const r of rows) {
      r.i = Math.floor(r.i / 2);
      this.pushRow(r);
    }
    const open = this.open;
    this.open = new Map();
    for (const b of open.values()) {
      const i = Math.floor(b.i / 2);
      const into = this.open.get(i);
      if (!into) {
        b.i = i;
        this.open.set(i, b);
        continue;
      }
      for (const [k, v] of b.add) bump(into.add, k, v);
      for (const [k, [t, v]] of b.gauge) {
        const had = into.gauge.get(k);
        if (!had || t >= had[0]) into.gauge.set(k, [t, v]);
      }
      for (const [k, h] of b.trend) {
        const had = into.trend.get(k);
        if (had) had.merge(h);
        else into.trend.set(k, h);
      }
    }
  }

  /** Ends the run: every bucket closes. */
  finish(): void {
    this.closeOld(true);
  }

  get startMs(): number {
    return Number.isNaN(this.t0) ? Date.now() : this.t0;
  }

  get endMs(): number {
    return Number.isNaN(this.lastMs) ? this.startMs : this.lastMs;
  }

  /** The time series so far (closed buckets only, so a live view never shows a half-filled bucket). */
  series(): SeriesData {
    const rows = this.rows;
    const width = this.bucketMs;
    const t = rows.map((r) => this.t0 + r.i * width);
    // The last bucket may end early (the run ended): its rates use the time it covered.
    const seconds = rows.map((r, k) => {
      const end = k === rows.length - 1 ? Math.min(this.t0 + (r.i + 1) * width, Math.max(this.endMs, this.t0 + r.i * width + 1000)) : this.t0 + (r.i + 1) * width;
      return (end - (this.t0 + r.i * width)) / 1000;
    });
    const col = (f: (r: Row, k: number) => number | null | undefined): Column => rows.map((r, k) => {
      const v = f(r, k);
      return v === undefined || v === null || !Number.isFinite(v) ? null : round(v);
    });
    const pct = (key: string, j: 1 | 2 | 3) => col((r) => r.trend.get(key)?.[j]);
    const ratio = (num: string, den: string) => col((r) => (r.add.get(den) ? (100 * (r.add.get(num) ?? 0)) / (r.add.get(den) as number) : null));
    const perS = (key: string) => col((r, k) => (r.add.has(key) ? (r.add.get(key) as number) / (seconds[k] as number) : null));
    const cols: Record<string, Column> = {
      vus: col((r) => r.gauge.get('vus')?.[1]),
      vus_max: col((r) => r.gauge.get('vus_max')?.[1]),
      reqs: perS('reqs'),
      p50: pct('dur', 1),
      p95: pct('dur', 2),
      p99: pct('dur', 3),
      errors: ratio('fail', 'failN'),
      checks: ratio('chkP', 'chkN'),
      dropped: col((r) => r.add.get('dropped')),
      iterations: perS('iters'),
    };
    const scenarios: SeriesData['scenarios'] = {};
    if (this.scenarioKeyCache.size > 1) {
      for (const [s, k] of this.scenarioKeyCache) scenarios[s] = { reqs: perS(k.reqs), p95: pct(k.dur, 2), errors: ratio(k.fail, k.failN) };
    }
    const custom: SeriesData['custom'] = {};
    for (const [name, def] of this.custom) {
      const ck = `c\u0000${name}`;
      let c: Record<string, Column>;
      if (def.type === 'gauge') c = { value: col((r) => r.gauge.get(ck)?.[1]) };
      else if (def.type === 'trend') c = { p50: pct(ck, 1), p95: pct(ck, 2) };
      else if (def.type === 'counter') c = { per_s: perS(ck) };
      else c = { rate: ratio(`${ck}\u0000pass`, `${ck}\u0000n`) };
      custom[name] = { type: def.type, contains: def.contains, cols: c };
    }
    return { bucketMs: width, t, cols, scenarios, custom };
  }

  /** Per request name, busiest first. */
  requests(): RequestStats[] {
    return [...this.names.entries()]
      .map(([name, a]) => ({
        name,
        count: a.count,
        failed: a.failed,
        failedOf: a.failedOf,
        durations: a.h.toPairs(),
        min: a.h.count ? a.h.min : 0,
        max: a.h.count ? a.h.max : 0,
        errors: [...a.errors.entries()].sort((x, y) => y[1] - x[1]).slice(0, 5),
      }))
      .sort((x, y) => y.count - x.count || (x.name < y.name ? -1 : 1));
  }
}

function round(v: number): number {
  return Math.abs(v) >= 100 ? Math.round(v * 10) / 10 : Math.round(v * 1000) / 1000;
}

function closeBucket(b: OpenBucket): Row {
  const trend = new Map<string, [number, number, number, number]>();
  for (const [k, h] of b.trend) {
    const [p50, p95, p99] = PCTS.map((p) => h.percentile(p) as number) as [number, number, number];
    trend.set(k, [h.count, p50, p95, p99]);
  }
  return { i: b.i, add: b.add, gauge: b.gauge, trend };
}

function mergeRow(into: Row, r: Row): void {
  for (const [k, v] of r.add) bump(into.add, k, v);
  for (const [k, [t, v]] of r.gauge) {
    const had = into.gauge.get(k);
    if (!had || t >= had[0]) into.gauge.set(k, [t, v]);
  }
  for (const [k, x] of r.trend) {
    const had = into.trend.get(k);
    if (!had) {
      into.trend.set(k, x);
      continue;
    }
    const n = had[0] + x[0];
    into.trend.set(k, [n, (had[1] * had[0] + x[1] * x[0]) / n, (had[2] * had[0] + x[2] * x[0]) / n, (had[3] * had[0] + x[3] * x[0]) / n]);
  }
}
