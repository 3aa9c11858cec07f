/**
 * A log-linear (HDR-style) histogram for Trend metrics: 3 significant digits, values kept as
 * integer micro-units (1 µs for time metrics in ms), sparse buckets, so memory depends on the
 * spread of the values and never on how many arrive. Negative values (custom trends) live in a
 * mirrored histogram. Two histograms merge losslessly (bucket counts add), which is what lets
 * worker threads and pods send deltas that combine exactly (DESIGN.md D4, D5).
 *
 * Bucketing: micro-unit values below 2048 have a bucket each (exact); above, each power-of-two
 * range [2^k, 2^(k+1)) is cut into 1024 equal buckets, so a bucket is at most 1/1024 (< 0.1 %)
 * of its values wide — HdrHistogram's layout for 3 significant digits.
 */

/** Values are scaled by this before bucketing: 1e3 → micro-units (µs for millisecond values). */
export const SCALE = 1000;
const SUB = 1024;
const FULL = 2048;

/** Bucket index of a non-negative integer micro-unit value. */
export function bucketIndex(v: number): number {
  if (v < FULL) return v;
  let e = Math.floor(Math.log2(v)) - 10;
  let m = Math.floor(v / 2 ** e);
  if (m >= FULL) {
    e++;
    m = Math.floor(v / 2 ** e);
  } else if (m < SUB) {
    e--;
    m = Math.floor(v / 2 ** e);
  }
  return FULL + (e - 1) * SUB + (m - SUB);
}

/** [low, high) micro-unit bounds of a bucket. */
export function bucketBounds(index: number): [number, number] {
  if (index < FULL) return [index, index + 1];
  const e = Math.floor((index - FULL) / SUB) + 1;
  const m = ((index - FULL) % SUB) + SUB;
  const w = 2 ** e;
  return [m * w, (m + 1) * w];
}

/** Sparse bucket counts for one sign. */
export class Buckets {
  readonly counts = new Map<number, number>();
  add(index: number, n = 1): void {
    this.counts.set(index, (this.counts.get(index) ?? 0) + n);
  }
  /** Flat [index, count, index, count, …] pairs: compact and structured-cloneable. */
  toPairs(): number[] {
    const out: number[] = [];
    for (const [i, c] of this.counts) out.push(i, c);
    return out;
  }
  addPairs(pairs: readonly number[]): void {
    for (let k = 0; k + 1 < pairs.length; k += 2) this.add(pairs[k] as number, pairs[k + 1] as number);
  }
  /** Indexes in ascending order. */
  sortedIndexes(): number[] {
    return [...this.counts.keys()].sort((a, b) => a - b);
  }
}

export interface TrendState {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Buckets of values ≥ 0. */
  pos: number[];
  /** Buckets of -value for values < 0. */
  neg: number[];
}

/** A Trend's exact count/sum/min/max plus its histogram. */
export class TrendHistogram {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  readonly pos = new Buckets();
  readonly neg = new Buckets();

  add(value: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const scaled = Math.round(value * SCALE);
    if (scaled >= 0) this.pos.add(bucketIndex(scaled));
    else this.neg.add(bucketIndex(-scaled));
  }

  toState(): TrendState {
    return { count: this.count, sum: this.sum, min: this.min, max: this.max, pos: this.pos.toPairs(), neg: this.neg.toPairs() };
  }

  mergeState(s: TrendState): void {
    if (s.count === 0) return;
    this.count += s.count;
    this.sum += s.sum;
    if (s.min < this.min) this.min = s.min;
    if (s.max > this.max) this.max = s.max;
    this.pos.addPairs(s.pos);
    this.neg.addPairs(s.neg);
  }

  get avg(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /**
   * The value of the k-th smallest sample (0-based), estimated from its bucket: samples are
   * taken as spread evenly inside the bucket, and the estimate is clamped to the exact min/max.
   */
  private nth(k: number, negIdx: number[], posIdx: number[]): number {
    let seen = 0;
    // Negative values: largest magnitude (most negative) first.
    for (let i = negIdx.length - 1; i >= 0; i--) {
      const idx = negIdx[i] as number;
      const c = this.neg.counts.get(idx) as number;
      if (k < seen + c) {
        const [lo, hi] = bucketBounds(idx);
        const v = -(hi - ((k - seen + 0.5) / c) * (hi - lo)) / SCALE;
        return this.clamp(v);
      }
      seen += c;
    }
    for (const idx of posIdx) {
      const c = this.pos.counts.get(idx) as number;
      if (k < seen + c) {
        const [lo, hi] = bucketBounds(idx);
        const width = hi - lo;
        // Exact buckets (width 1) hold a single integer micro-unit value.
        const v = width === 1 ? lo / SCALE : (lo + ((k - seen + 0.5) / c) * width) / SCALE;
        return this.clamp(v);
      }
      seen += c;
    }
    return this.max;
  }

  private clamp(v: number): number {
    return v < this.min ? this.min : v > this.max ? this.max : v;
  }

  /**
   * k6's percentile rule: over the sorted samples, rank = p·(n−1); the value interpolates linearly
   * between the samples at floor(rank) and ceil(rank). p is 0..1.
   */
  percentile(p: number): number {
    return this.percentiles([p])[0] as number;
  }

  percentiles(ps: readonly number[]): number[] {
    if (this.count === 0) return ps.map(() => 0);
    const negIdx = this.neg.sortedIndexes();
    const posIdx = this.pos.sortedIndexes();
    return ps.map((p) => {
      if (p <= 0) return this.min;
      if (p >= 1) return this.max;
      const rank = p * (this.count - 1);
      const lo = Math.floor(rank);
      const hi = Math.ceil(rank);
      const a = lo === 0 ? this.min : this.nth(lo, negIdx, posIdx);
      if (hi === lo) return a;
      const b = hi === this.count - 1 ? this.max : this.nth(hi, negIdx, posIdx);
      return a + (b - a) * (rank - lo);
    });
  }
}
