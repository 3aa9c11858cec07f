/**
 * The tests compare uses to tell a real difference from noise.
 *
 * Latency: the Mann–Whitney U test over two binned latency distributions (report/log-histogram.ts;
 * values in one 1 % bin are ties, handled by the usual tie correction of the normal
 * approximation), plus Cliff's delta as the size of the effect. With thousands of requests a test
 * alone calls a 1 % drift "significant", so a difference is "beyond noise" only when it is both
 * significant (p < 0.01) and at least a small effect (|delta| ≥ 0.147, Romano et al. 2006).
 *
 * Error rate: the two-proportion z-test.
 */
import type { BinPairs } from './log-histogram.ts';

export const ALPHA = 0.01;
/** Cliff's delta below this is a negligible effect (Romano et al.'s "small" starts here). */
export const MIN_EFFECT = 0.147;
/** Fewer requests than this on either side: no verdict. */
export const MIN_SAMPLES = 20;

export interface ShiftTest {
  /** P(b > a) − P(b < a): +1 every request of b slower than every one of a, 0 same distribution. */
  delta: number;
  /** Two-sided p-value of the Mann–Whitney U test (normal approximation, tie-corrected). */
  p: number;
  na: number;
  nb: number;
}

/** Standard normal upper tail, 1 − Φ(z), for z ≥ 0 (Abramowitz & Stegun 26.2.17, error < 7.5e-8). */
export function normalTail(z: number): number {
  if (z < 0) return 1 - normalTail(-z);
  const t = 1 / (1 + 0.2316419 * z);
  const poly = t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI)) * poly;
}

/** Mann–Whitney U of b against a over the same bins. Null when either side is empty. */
export function mannWhitney(a: BinPairs, b: BinPairs): ShiftTest | null {
  const counts = new Map<number, [number, number]>();
  for (let i = 0; i < a.length; i += 2) counts.set(a[i] as number, [a[i + 1] as number, 0]);
  for (let i = 0; i < b.length; i += 2) {
    const c = counts.get(b[i] as number);
    if (c) c[1] += b[i + 1] as number;
    else counts.set(b[i] as number, [0, b[i + 1] as number]);
  }
  let na = 0;
  let nb = 0;
  for (const [ca, cb] of counts.values()) {
    na += ca;
    nb += cb;
  }
  if (na === 0 || nb === 0) return null;
  const n = na + nb;
  let below = 0; // values of both runs in lower bins
  let rankSumB = 0;
  let ties = 0;
  for (const k of [...counts.keys()].sort((x, y) => x - y)) {
    const [ca, cb] = counts.get(k) as [number, number];
    const t = ca + cb;
    rankSumB += cb * (below + (t + 1) / 2);
    ties += t * t * t - t;
    below += t;
  }
  const ub = rankSumB - (nb * (nb + 1)) / 2;
  const mean = (na * nb) / 2;
  const variance = ((na * nb) / 12) * (n + 1 - ties / (n * (n - 1)));
  const z = variance > 0 ? (ub - mean) / Math.sqrt(variance) : 0;
  return { delta: (2 * ub) / (na * nb) - 1, p: Math.min(1, 2 * normalTail(Math.abs(z))), na, nb };
}

export type ShiftVerdict = 'slower, beyond noise' | 'faster, beyond noise' | 'no significant change' | 'too few requests to judge';

export function shiftVerdict(t: ShiftTest | null): ShiftVerdict {
  if (!t || t.na < MIN_SAMPLES || t.nb < MIN_SAMPLES) return 'too few requests to judge';
  if (t.p >= ALPHA || Math.abs(t.delta) < MIN_EFFECT) return 'no significant change';
  return t.delta > 0 ? 'slower, beyond noise' : 'faster, beyond noise';
}

/** Two-sided p-value that two error proportions differ (pooled two-proportion z-test). */
export function proportionTest(failsA: number, totalA: number, failsB: number, totalB: number): number {
  if (totalA === 0 || totalB === 0) return 1;
  const pooled = (failsA + failsB) / (totalA + totalB);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / totalA + 1 / totalB));
  if (se === 0) return 1;
  const z = (failsB / totalB - failsA / totalA) / se;
  return Math.min(1, 2 * normalTail(Math.abs(z)));
}
