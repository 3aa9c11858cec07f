/**
 * Execution-segment arithmetic (DESIGN.md D4): how one instance (a worker thread, a pod) knows its
 * share of a test that is split by k6's `--execution-segment` / `--execution-segment-sequence`.
 *
 * A sequence `0,a,b,…,1` cuts [0,1) into segments. All its segment lengths are brought to one
 * common denominator L; the L positions of a repeating "stripe" are then handed out to the
 * segments, biggest segment first, each taking its share evenly spread over the positions still
 * free (the idea k6 documents for its striping). Unit number i (a VU index, a global iteration
 * index) belongs to the segment that owns position i mod L. From that single table follow:
 *   - `ownsIteration(i)`: the segments of one sequence partition 0,1,2,… exactly;
 *   - `scale(n)` = how many of the units 0..n-1 this segment owns, so the shares of all segments
 *     sum to n exactly for every n (k6's ScaleInt64 property), and scale is monotonic.
 *
 * Worker threads inside a user's segment (`--workers n` in one pod of several) nest: the instance
 * keeps exactly the units its segment owns in the user's sequence (k6's share for that instance),
 * and its n workers take turns over those units in order (the instance's m-th unit goes to worker
 * m mod n). Re-striping a finer sequence instead would not keep each instance's share: with
 * "0,1/2,1" and 2 workers, the quarters' stripe gives both VUs of a 2-VU scenario to the first
 * instance (k6 gives one to each).
 */
import { ConfigError } from '../errors.ts';
import type { SegmentInfo } from '../types.ts';

const SEGMENT_FLAG = '--execution-segment';
const SEQUENCE_FLAG = '--execution-segment-sequence';
/** Largest common denominator we build a stripe table for (one Int32 per position). */
const MAX_LCD = 1_000_000;

/** An exact non-negative rational n/d (reduced, d > 0). */
interface Rat {
  n: bigint;
  d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

function rat(n: bigint, d: bigint): Rat {
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

function cmp(a: Rat, b: Rat): number {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
}

function sub(a: Rat, b: Rat): Rat {
  return rat(a.n * b.d - b.n * a.d, a.d * b.d);
}

function ratString(r: Rat): string {
  return r.d === 1n ? String(r.n) : `${r.n}/${r.d}`;
}

/** A decimal string ("0.25", "3") as an exact rational. */
function decimal(text: string): Rat | null {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const frac = m[2] ?? '';
  return rat(BigInt(m[1] + frac), 10n ** BigInt(frac.length));
}

/** One point of a segment or sequence: "1/3", "0.5", "50%", "33.3%", "0", "1". */
function parsePoint(text: string, flag: string): Rat {
  const t = text.trim();
  let r: Rat | null = null;
  if (t.endsWith('%')) {
    const p = decimal(t.slice(0, -1).trim());
    if (p) r = rat(p.n, p.d * 100n);
  } else if (t.includes('/')) {
    const [a, b, ...rest] = t.split('/');
    if (rest.length === 0 && /^\d+$/.test(a.trim()) && /^\d+$/.test(b.trim()) && BigInt(b.trim()) !== 0n) {
      r = rat(BigInt(a.trim()), BigInt(b.trim()));
    }
  } else {
    r = decimal(t);
  }
  if (!r) {
    throw new ConfigError(flag, `"${text}" is not a fraction ("1/3"), a decimal ("0.5") or a percentage ("50%")`);
  }
  if (cmp(r, { n: 1n, d: 1n }) > 0) throw new ConfigError(flag, `"${text}" is greater than 1`);
  return r;
}

const ZERO: Rat = { n: 0n, d: 1n };
const ONE: Rat = { n: 1n, d: 1n };

function parseSegmentPoints(segment: string): [Rat, Rat] {
  const parts = segment.split(':');
  if (parts.length > 2 || parts.some((p) => p.trim() === '')) {
    throw new ConfigError(SEGMENT_FLAG, `"${segment}" is not of the form "from:to" (e.g. "0:1/2", "1/3:2/3")`);
  }
  const [from, to] = parts.length === 1 ? [ZERO, parsePoint(parts[0], SEGMENT_FLAG)] : [parsePoint(parts[0], SEGMENT_FLAG), parsePoint(parts[1], SEGMENT_FLAG)];
  if (cmp(from, to) >= 0) {
    throw new ConfigError(SEGMENT_FLAG, `"${segment}": the start (${ratString(from)}) must be less than the end (${ratString(to)})`);
  }
  return [from, to];
}

function parseSequencePoints(sequence: string): Rat[] {
  const parts = sequence.split(',');
  if (parts.some((p) => p.trim() === '')) throw new ConfigError(SEQUENCE_FLAG, `"${sequence}" has an empty value`);
  const points = parts.map((p) => parsePoint(p, SEQUENCE_FLAG));
  if (points.length < 2) {
    throw new ConfigError(SEQUENCE_FLAG, `"${sequence}" needs at least two values (e.g. "0,1/2,1")`);
  }
  for (let i = 1; i < points.length; i++) {
    if (cmp(points[i - 1], points[i]) >= 0) {
      throw new ConfigError(SEQUENCE_FLAG, `"${sequence}": values must increase (${ratString(points[i - 1])} then ${ratString(points[i])})`);
    }
  }
  return points;
}

/** Adds 0 and 1 to the ends of a sequence when missing (k6 fills a partial sequence the same way). */
function fill(points: Rat[]): Rat[] {
  const out = [...points];
  if (cmp(out[0], ZERO) !== 0) out.unshift(ZERO);
  if (cmp(out[out.length - 1], ONE) !== 0) out.push(ONE);
  return out;
}

/**
 * The stripe table of a full sequence: owner[p] is the index of the segment that owns position p
 * of every block of `lcd` consecutive units.
 */
function stripeOwners(points: Rat[]): { lcd: number; owner: Int32Array } {
  const lengths = points.slice(1).map((p, i) => sub(p, points[i]));
  let lcdBig = 1n;
  for (const l of lengths) lcdBig = (lcdBig * l.d) / gcd(lcdBig, l.d);
  if (lcdBig > BigInt(MAX_LCD)) {
    throw new ConfigError(SEQUENCE_FLAG, `the segments' common denominator ${lcdBig} is too fine (at most ${MAX_LCD})`);
  }
  const lcd = Number(lcdBig);
  const counts = lengths.map((l) => Number((l.n * lcdBig) / l.d));
  // Biggest segments choose first: they need the most positions, so spreading them is hardest.
  const order = counts.map((_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
  const owner = new Int32Array(lcd);
  let free = Array.from({ length: lcd }, (_, p) => p);
  for (const seg of order) {
    const c = counts[seg];
    const f = free.length;
    const taken = new Uint8Array(f);
    for (let j = 0; j < c; j++) {
      const k = Math.floor((j * f) / c);
      taken[k] = 1;
      owner[free[k]] = seg;
    }
    free = free.filter((_, k) => !taken[k]);
  }
  return { lcd, owner };
}

class StripedSegment implements SegmentInfo {
  private readonly count: number;
  /** prefix[r] = positions owned among 0..r-1 of a stripe. */
  private readonly prefix: Int32Array;

  constructor(
    readonly label: string,
    private readonly lcd: number,
    private readonly owner: Int32Array,
    private readonly index: number,
  ) {
    this.prefix = new Int32Array(lcd + 1);
    for (let p = 0; p < lcd; p++) this.prefix[p + 1] = this.prefix[p] + (owner[p] === index ? 1 : 0);
    this.count = this.prefix[lcd];
  }

  scale(n: number): number {
    if (!(n > 0)) return 0;
    const whole = Math.floor(n);
    return Math.floor(whole / this.lcd) * this.count + this.prefix[whole % this.lcd];
  }

  ownsIteration(i: number): boolean {
    return i >= 0 && this.owner[i % this.lcd] === this.index;
  }
}

/**
 * A worker's part of an instance's segment: of the units the instance (`outer`) owns, in order,
 * the ones `inner` (one of n equal worker segments) owns.
 */
class NestedSegment implements SegmentInfo {
  constructor(
    readonly label: string,
    private readonly outer: SegmentInfo,
    private readonly inner: SegmentInfo,
  ) {}

  scale(n: number): number {
    return this.inner.scale(this.outer.scale(n));
  }

  ownsIteration(i: number): boolean {
    // outer.scale(i): how many units before i the instance owns, i.e. unit i's place among them.
    return this.outer.ownsIteration(i) && this.inner.ownsIteration(this.outer.scale(i));
  }
}

/** The whole test in one instance: owns everything, scales nothing. */
const FULL: SegmentInfo = Object.freeze({
  label: '0:1',
  scale: (n: number) => (n > 0 ? Math.floor(n) : 0),
  ownsIteration: (i: number) => i >= 0,
});

/**
 * A sequence that splitSegment cut for worker threads ends in " workers=n": every segment of the
 * user's sequence is cut into n equal parts, and a part is a worker's share of its instance's units
 * (NestedSegment), not a segment striped on its own. The plan carries it to the worker threads.
 */
const WORKERS_MARK = /^(.*\S)\s+workers=(\d+)$/;

/** Where from:to is among the segments of a full sequence; ConfigError when it is not one of them. */
function indexOf(points: Rat[], from: Rat, to: Rat): number {
  const index = points.findIndex((p, i) => i + 1 < points.length && cmp(p, from) === 0 && cmp(points[i + 1], to) === 0);
  if (index < 0) {
    throw new ConfigError(SEGMENT_FLAG, `segment ${ratString(from)}:${ratString(to)} is not one of the segments of the sequence ${points.map(ratString).join(',')}`);
  }
  return index;
}

/** The segment `index` of a full sequence (the whole test when the sequence does not split it). */
function segmentOf(points: Rat[], index: number, label: string): SegmentInfo {
  if (points.length === 2) return FULL;
  const { lcd, owner } = stripeOwners(points);
  return new StripedSegment(label, lcd, owner, index);
}

/** Every segment of a full sequence cut into n equal parts. */
function refine(points: Rat[], n: number): Rat[] {
  const big = BigInt(n);
  const refined: Rat[] = [points[0]];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const len = sub(points[i], a);
    for (let k = 1n; k <= big; k++) refined.push(rat(a.n * len.d * big + len.n * a.d * k, a.d * len.d * big));
  }
  return refined;
}

/** Part `index` of a sequence refined by splitSegment into n parts per segment: that worker's share. */
function workerPart(refined: Rat[], index: number, n: number, label: string, sequence: string): SegmentInfo {
  const outer = refined.filter((_, i) => i % n === 0);
  const again = refine(outer, n);
  if ((refined.length - 1) % n !== 0 || again.length !== refined.length || again.some((p, i) => cmp(p, refined[i]) !== 0)) {
    throw new ConfigError(SEQUENCE_FLAG, `"${sequence}" does not cut every segment into ${n} equal parts`);
  }
  const q = Math.floor(index / n);
  const k = index % n;
  const parts = refine([ZERO, ONE], n);
  return new NestedSegment(label, segmentOf(outer, q, `${ratString(outer[q])}:${ratString(outer[q + 1])}`), segmentOf(parts, k, `${k}/${n}`));
}

/**
 * Parses `--execution-segment` (e.g. "0:1/2", "1/3:2/3", "50%:100%", "0.5:1", or "1/2" meaning
 * "0:1/2") and `--execution-segment-sequence` (e.g. "0,1/3,2/3,1"; missing 0 and 1 are added).
 * Without a sequence the segment's own bounds form it. Throws ConfigError naming the flag.
 */
export function parseSegment(segment?: string, sequence?: string): SegmentInfo {
  const marked = sequence ? WORKERS_MARK.exec(sequence.trim()) : null;
  const sequenceText = marked ? marked[1] : sequence;
  const seg = segment?.trim() ? parseSegmentPoints(segment.trim()) : null;
  const seqPoints = sequenceText?.trim() ? fill(parseSequencePoints(sequenceText.trim())) : null;
  if (!seg) {
    if (seqPoints && seqPoints.length > 2) {
      throw new ConfigError(SEGMENT_FLAG, `is required when ${SEQUENCE_FLAG} ("${sequence}") splits the test`);
    }
    return FULL;
  }
  const [from, to] = seg;
  const label = `${ratString(from)}:${ratString(to)}`;
  const points = seqPoints ?? fill([from, to]);
  const index = indexOf(points, from, to);
  return marked ? workerPart(points, index, Number(marked[2]), label, sequence as string) : segmentOf(points, index, label);
}

/**
 * The segments for `--workers n`: sequence "0,1/n,2/n,…,1" and segment i = "i/n:(i+1)/n"
 * (fractions reduced). Each worker calls parseSegment(segment, sequence) with its own pair.
 */
export function workerSegments(n: number): { segment: string; sequence: string }[] {
  if (!Number.isInteger(n) || n < 1) throw new ConfigError('--workers', `must be a whole number of at least 1, got ${n}`);
  const big = BigInt(n);
  const points = Array.from({ length: n + 1 }, (_, i) => ratString(rat(BigInt(i), big)));
  const sequence = points.join(',');
  return Array.from({ length: n }, (_, i) => ({ segment: `${points[i]}:${points[i + 1]}`, sequence }));
}

/**
 * `--workers n` inside an instance that is itself a segment (one pod of several): every segment
 * of the (filled) sequence is cut into n equal parts, and worker k runs part k of this instance's
 * segment, marked (" workers=n") so that parseSegment gives it the k-th of every n units the
 * instance owns in the user's sequence. The instance's share is then exactly k6's for its segment
 * whatever n is, and the parts' segment texts still order the workers of all instances along the
 * sequence (VU id offsets, test-plan's idOffset). n = 1 returns the segment and the filled sequence
 * as written in lowest terms.
 */
export function splitSegment(segment: string, sequence: string | undefined, n: number): { segment: string; sequence: string }[] {
  if (!Number.isInteger(n) || n < 1) throw new ConfigError('--workers', `must be a whole number of at least 1, got ${n}`);
  const [from, to] = parseSegmentPoints(segment.trim());
  const points = sequence?.trim() ? fill(parseSequencePoints(sequence.trim())) : fill([from, to]);
  const index = indexOf(points, from, to);
  const text = refine(points, n).map(ratString);
  const seq = n === 1 ? text.join(',') : `${text.join(',')} workers=${n}`;
  const mine = index * n;
  return Array.from({ length: n }, (_, k) => ({ segment: `${text[mine + k]}:${text[mine + k + 1]}`, sequence: seq }));
}
