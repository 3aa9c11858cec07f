/**
 * A log-linear (HDR-style) histogram for Trend metrics: 3 significant digits, values kept as
 * integer micro-units (1 µs for time metrics in ms), buckets in lazily allocated chunks, so memory depends on the
 * spread of the values and never on how many arrive. Negative values (custom trends) live in a
 * mirrored histogram. Two histograms merge losslessly (bucket counts add), which is what lets
 * worker threads and pods send deltas that combine exactly (DESIGN.md D4, D5).
 *
 * Storage: dense chunks of 1024 buckets (counts and exact sums), allocated on first use.
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

const CHUNK_BITS = 10;
const CHUNK = 1 << CHUNK_BITS;

/** One bucket: how many values fell in it and their exact sum (so a lone value is reported exactly). */
interface Bucket {
  c: number;
  s: number;
}

/**
 * Buckets for one sign, stored densely in lazily allocated chunks of 1024 (counts and sums), so
 * an add is two array writes. At most ~45 chunks exist (values up to 2^53 micro-units); a typical
 * latency range touches 10–20. reset() zeroes the chunks in place for reuse.
 * Each chunk also keeps the range of positions written since its last reset, so a drain reads and
 * zeroes only that range: a worker drains every 500 ms, and reading every bucket of every chunk of
 * ~10 trends took 2–3 ms a drain (12–16 ms for the first, before the code is optimised), time in
 * which no answer was read (issue 21). Values cluster: 50 ms ± 5 ms is ~300 buckets of one chunk.
 */
export class Buckets {
  private counts: (Float64Array | undefined)[] = [];
  private sums: (Float64Array | undefined)[] = [];
  /** Per chunk, the lowest and highest position written since its last reset (lo > hi: none). */
  private lo: number[] = [];
  private hi: number[] = [];

  add(index: number, value: number): void {
    const ch = index >>> CHUNK_BITS;
    let c = this.counts[ch];
    if (c === undefined) c = this.allocate(ch);
    const i = index & (CHUNK - 1);
    c[i] = (c[i] as number) + 1;
    const s = this.sums[ch] as Float64Array;
    s[i] = (s[i] as number) + value;
    this.touch(ch, i);
  }

  private touch(ch: number, i: number): void {
    if (i < (this.lo[ch] as number)) this.lo[ch] = i;
    if (i > (this.hi[ch] as number)) this.hi[ch] = i;
  }

  private allocate(ch: number): Float64Array {
    while (this.counts.length <= ch) {
      this.counts.push(undefined);
      this.sums.push(undefined);
      this.lo.push(CHUNK);
      this.hi.push(-1);
    }
    const c = new Float64Array(CHUNK);
    this.counts[ch] = c;
    this.sums[ch] = new Float64Array(CHUNK);
    return c;
  }

  get(index: number): Bucket | undefined {
    const ch = index >>> CHUNK_BITS;
    const c = this.counts[ch];
    if (c === undefined) return undefined;
    const i = index & (CHUNK - 1);
    return c[i] ? { c: c[i] as number, s: (this.sums[ch] as Float64Array)[i] as number } : undefined;
  }

  /** Flat [index, count, sum, index, count, sum, …] triples of non-empty buckets, ascending. */
  toTriples(): number[] {
    const out: number[] = [];
    for (let ch = 0; ch < this.counts.length; ch++) {
      const c = this.counts[ch];
      if (c === undefined) continue;
      const s = this.sums[ch] as Float64Array;
      const hi = this.hi[ch] as number;
      for (let i = this.lo[ch] as number; i <= hi; i++) if (c[i] !== 0) out.push((ch << CHUNK_BITS) | i, c[i] as number, s[i] as number);
    }
    return out;
  }

  addTriples(t: readonly number[]): void {
    for (let k = 0; k + 2 < t.length; k += 3) {
      const index = t[k] as number;
      const ch = index >>> CHUNK_BITS;
      const c = this.counts[ch] ?? this.allocate(ch);
      const i = index & (CHUNK - 1);
      c[i] = (c[i] as number) + (t[k + 1] as number);
      const s = this.sums[ch] as Float64Array;
      s[i] = (s[i] as number) + (t[k + 2] as number);
      this.touch(ch, i);
    }
  }

  /** Non-empty bucket indexes in ascending order. */
  sortedIndexes(): number[] {
    const out: number[] = [];
    for (let ch = 0; ch < this.counts.length; ch++) {
      const c = this.counts[ch];
      if (c === undefined) continue;
      const hi = this.hi[ch] as number;
      for (let i = this.lo[ch] as number; i <= hi; i++) if (c[i] !== 0) out.push((ch << CHUNK_BITS) | i);
    }
    return out;
  }

  /** Empties every bucket, keeping the chunks. */
  reset(): void {
    for (let ch = 0; ch < this.counts.length; ch++) {
      const lo = this.lo[ch] as number;
      const hi = this.hi[ch] as number;
      if (lo > hi) continue;
      (this.counts[ch] as Float64Array).fill(0, lo, hi + 1);
      (this.sums[ch] as Float64Array).fill(0, lo, hi + 1);
      this.lo[ch] = CHUNK;
      this.hi[ch] = -1;
    }
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

  /** Back to empty (chunks kept for reuse). */
  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
    this.pos.reset();
    this.neg.reset();
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
      const b = this.neg.get(idx) as Bucket;
      if (k < seen + b.c) return this.clamp(-estimate(idx, b, b.c - 1 - (k - seen)));
      seen += b.c;
    }
    for (const idx of posIdx) {
      const b = this.pos.get(idx) as Bucket;
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
