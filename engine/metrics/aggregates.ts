/**
 * The constant-memory aggregate of one metric (or sub-metric) per k6 metric type, with its
 * structured-cloneable state for deltas and exact merging:
 *   counter → sum; gauge → last value (by time), min, max; rate → non-zero count and total;
 *   trend → TrendHistogram (exact count/sum/min/max plus HDR buckets).
 */
import type { MetricType } from '../types.ts';
import { TrendHistogram, type TrendState } from './histogram.ts';

export interface CounterState {
  t: 'counter';
  sum: number;
  n: number;
}
export interface GaugeState {
  t: 'gauge';
  last: number;
  /** ms since the epoch of `last`, so merged gauges keep the newest value. */
  time: number;
  min: number;
  max: number;
  n: number;
}
export interface RateState {
  t: 'rate';
  passes: number;
  total: number;
}
export interface TrendAggState extends TrendState {
  t: 'trend';
}
export type AggregateState = CounterState | GaugeState | RateState | TrendAggState;

export interface Aggregate {
  readonly type: MetricType;
  /** Samples seen (0: the metric has no data; its thresholds pass). */
  readonly samples: number;
  add(value: number, time: number): void;
  state(): AggregateState;
  /** Back to no samples (collectors reuse aggregates across drains). */
  reset(): void;
  merge(s: AggregateState): void;
}

export class CounterAgg implements Aggregate {
  readonly type = 'counter' as const;
  sum = 0;
  samples = 0;
  add(value: number): void {
    this.sum += value;
    this.samples++;
  }
  reset(): void {
    this.sum = 0;
    this.samples = 0;
  }
  state(): CounterState {
    return { t: 'counter', sum: this.sum, n: this.samples };
  }
  merge(s: AggregateState): void {
    if (s.t !== 'counter') return;
    this.sum += s.sum;
    this.samples += s.n;
  }
}

export class GaugeAgg implements Aggregate {
  readonly type = 'gauge' as const;
  last = 0;
  time = Number.NEGATIVE_INFINITY;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  samples = 0;
  add(value: number, time: number): void {
    if (time >= this.time) {
      this.last = value;
      this.time = time;
    }
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.samples++;
  }
  reset(): void {
    this.last = 0;
    this.time = Number.NEGATIVE_INFINITY;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
    this.samples = 0;
  }
  state(): GaugeState {
    return { t: 'gauge', last: this.last, time: this.time, min: this.min, max: this.max, n: this.samples };
  }
  merge(s: AggregateState): void {
    if (s.t !== 'gauge' || s.n === 0) return;
    if (s.time >= this.time) {
      this.last = s.last;
      this.time = s.time;
    }
    if (s.min < this.min) this.min = s.min;
    if (s.max > this.max) this.max = s.max;
    this.samples += s.n;
  }
}

export class RateAgg implements Aggregate {
  readonly type = 'rate' as const;
  passes = 0;
  total = 0;
  get samples(): number {
    return this.total;
  }
  add(value: number): void {
    this.total++;
    if (value !== 0) this.passes++;
  }
  reset(): void {
    this.passes = 0;
    this.total = 0;
  }
  state(): RateState {
    return { t: 'rate', passes: this.passes, total: this.total };
  }
  merge(s: AggregateState): void {
    if (s.t !== 'rate') return;
    this.passes += s.passes;
    this.total += s.total;
  }
  get rate(): number {
    return this.total === 0 ? 0 : this.passes / this.total;
  }
}

export class TrendAgg implements Aggregate {
  readonly type = 'trend' as const;
  readonly h = new TrendHistogram();
  get samples(): number {
    return this.h.count;
  }
  add(value: number): void {
    this.h.add(value);
  }
  reset(): void {
    this.h.reset();
  }
  state(): TrendAggState {
    return { t: 'trend', ...this.h.toState() };
  }
  merge(s: AggregateState): void {
    if (s.t !== 'trend') return;
    this.h.mergeState(s);
  }
}

export function createAggregate(type: MetricType): Aggregate {
  switch (type) {
    case 'counter':
      return new CounterAgg();
    case 'gauge':
      return new GaugeAgg();
    case 'rate':
      return new RateAgg();
    case 'trend':
      return new TrendAgg();
  }
}
