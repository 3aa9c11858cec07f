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
  if (v < 4294967296) {
    // Fast path (values below ~71 minutes in µs): the top bit by clz32.
    const e = 21 - Math.clz32(v); // msb − 10
    return FULL + (e - 1) * SUB + ((v >>> e) - SUB);
  }
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

/** One bucket: how many values fell in it and their exact sum (so a lone value is reported exactly). */
interface Bucket {
  c: number;
  s: number;
}

/** Sparse buckets for one sign. */
export class Buckets {
  readonly map = new Map<number, Bucket>();
  add(index: number, value: number): void {
    const b = this.map.get(index);
    if (b) {
      b.c++;
      b.s += value;
    } else this.map.set(index, { c: 1, s: value });
  }
  /** Flat [index, count, sum, index, count, sum, …] triples: compact and structured-cloneable. */
  toTriples(): number[] {
    const out: number[] = [];
    for (const [i, b] of this.map) out.push(i, b.c, b.s);
    return out;
  }
  addTriples(t: readonly number[]): void {
    for (let k = 0; k + 2 < t.length; k += 3) {
      const i = t[k] as number;
      const b = this.map.get(i);
      if (b) {
        b.c += t[k + 1] as number;
        b.s += t[k + 2] as number;
      } else this.map.set(i, { c: t[k + 1] as number, s: t[k + 2] as number });
    }
  }
  /** Indexes in ascending order. */
  sortedIndexes(): number[] {
    return [...this.map.keys()].sort((a, b) => a - b);
  }
}

/** The j-th (0-based) of a bucket's values, by the rule in TrendHistogram.nth. */
function estimate(index: number, b: Bucket, j: number): number {
  const mean = b.s / b.c;
  if (b.c === 1) return mean;
  const [lo, hi] = bucketBounds(index);
  const width = (hi - lo) / SCALE;
  const v = mean + ((j + 0.5) / b.c - 0.5) * width;
  const low = lo / SCALE;
  const high = hi / SCALE;
  return v < low ? low : v > high ? high : v;
}

export interface TrendState {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Buckets of values ≥ 0: flat [index, count, sum of values] triples. */
  pos: number[];
  /** Buckets of -value for values < 0 (sums of the magnitudes). */
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
    if (scaled >= 0) this.pos.add(bucketIndex(scaled), value);
    else this.neg.add(bucketIndex(-scaled), -value);
  }

  toState(): TrendState {
    return { count: this.count, sum: this.sum, min: this.min, max: this.max, pos: this.pos.toTriples(), neg: this.neg.toTriples() };
  }

  mergeState(s: TrendState): void {
    if (s.count === 0) return;
    this.count += s.count;
    this.sum += s.sum;
    if (s.min < this.min) this.min = s.min;
    if (s.max > this.max) this.max = s.max;
    this.pos.addTriples(s.pos);
    this.neg.addTriples(s.neg);
  }

  get avg(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /**
   * The value of the k-th smallest sample (0-based), estimated from its bucket: a lone value is
   * its exact sum; otherwise the bucket's values are taken as spread evenly across the bucket's
   * width, centred on their exact mean. Clamped to the bucket and to the exact min/max.
   */
  private nth(k: number, negIdx: number[], posIdx: number[]): number {
    let seen = 0;
    // Negative values: largest magnitude (most negative) first.
    for (let i = negIdx.length - 1; i >= 0; i--) {
      const idx = negIdx[i] as number;
      const b = this.neg.map.get(idx) as Bucket;
      if (k < seen + b.c) return this.clamp(-estimate(idx, b, b.c - 1 - (k - seen)));
      seen += b.c;
    }
    for (const idx of posIdx) {
      const b = this.pos.map.get(idx) as Bucket;
      if (k < seen + b.c) return this.clamp(estimate(idx, b, k - seen));
      seen += b.c;
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
