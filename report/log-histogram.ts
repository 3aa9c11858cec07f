/**
 * A small log-binned histogram for the report: bins 1 % wide (bin k holds values in
 * (1.01^(k-1), 1.01^k]), zero and negative values in one bin of their own. Enough for chart
 * percentiles (±1 %) and for the compare test over two runs' latency distributions; a run's
 * exact end-of-test numbers come from the summary data, never from here. Sparse: a latency range
 * of 1 ms–10 s touches at most ~930 bins, typically a few hundred.
 */
import type { TrendState } from '../engine/metrics/histogram.ts';

const LOG_BASE = Math.log(1.01);
/** The bin of every value ≤ 0. */
export const ZERO_BIN = -100000;

/** Bin key of a value. */
export function binOf(v: number): number {
  return v <= 0 ? ZERO_BIN : Math.ceil(Math.log(v) / LOG_BASE - 1e-9);
}

/** The value a bin stands for: the geometric middle of its bounds (0 for the zero bin). */
export function binValue(k: number): number {
  return k === ZERO_BIN ? 0 : Math.exp((k - 0.5) * LOG_BASE);
}

/** [bin, count, bin, count, …] ascending by bin: the form stored in report data. */
export type BinPairs = number[];

export class LogHistogram {
  readonly bins = new Map<number, number>();
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  add(v: number): void {
    const k = binOf(v);
    this.bins.set(k, (this.bins.get(k) ?? 0) + 1);
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /**
   * A trend's HDR buckets (engine/metrics/histogram.ts: ≤ 0.1 % wide, each with its count and the
   * exact sum of its values): each bucket's values land in the 1 % bin of their mean.
   */
  addTrendState(s: TrendState): void {
    if (s.count === 0) return;
    const put = (triples: readonly number[], sign: 1 | -1) => {
      for (let i = 0; i < triples.length; i += 3) {
        const c = triples[i + 1] as number;
        const k = binOf((sign * (triples[i + 2] as number)) / c);
        this.bins.set(k, (this.bins.get(k) ?? 0) + c);
      }
    };
    put(s.pos, 1);
    put(s.neg, -1);
    this.count += s.count;
    if (s.min < this.min) this.min = s.min;
    if (s.max > this.max) this.max = s.max;
  }

  merge(o: LogHistogram): void {
    for (const [k, c] of o.bins) this.bins.set(k, (this.bins.get(k) ?? 0) + c);
    this.count += o.count;
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
  }

  /** k6's rank rule (rank = p·(n−1)) over the bins; the bin's value, clamped to the exact min/max. */
  percentile(p: number): number | null {
    return percentileOfPairs(this.toPairs(), p, this.min, this.max);
  }

  toPairs(): BinPairs {
    const keys = [...this.bins.keys()].sort((a, b) => a - b);
    const out: number[] = [];
    for (const k of keys) out.push(k, this.bins.get(k) as number);
    return out;
  }
}

/** A percentile of stored bin pairs (null when empty). */
export function percentileOfPairs(pairs: BinPairs, p: number, min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): number | null {
  let n = 0;
  for (let i = 1; i < pairs.length; i += 2) n += pairs[i] as number;
  if (n === 0) return null;
  const rank = Math.round(p * (n - 1));
  let seen = 0;
  for (let i = 0; i < pairs.length; i += 2) {
    seen += pairs[i + 1] as number;
    if (rank < seen) return Math.min(max, Math.max(min, binValue(pairs[i] as number)));
  }
  return Math.min(max, binValue(pairs[pairs.length - 2] as number));
}
