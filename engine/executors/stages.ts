/**
 * Stage arithmetic shared by ramping-vus and ramping-arrival-rate. A stage list moves a value
 * (VUs, or an iteration rate) linearly from where the previous stage ended to each stage's target
 * over that stage's duration (a 0-length stage jumps at once).
 *
 * - VUs: `vusAt` gives the planned test-wide VU count at any time (truncated toward the stage's
 *   starting value, so it reaches the target exactly at the stage's end); `vuSteps` lists the
 *   moments this segment's share (SegmentInfo.scale of the test-wide count) changes.
 * - Rates: `rateSchedule` integrates the rate into "iterations due by time t" and inverts it, so
 *   iteration i of the whole test has one exact scheduled time, computed, never accumulated.
 */
import type { SegmentInfo } from '../types.ts';

export interface Stage {
  /** ms */
  duration: number;
  /** VUs (ramping-vus) or iterations per timeUnit (ramping-arrival-rate). */
  target: number;
}

export function totalDuration(stages: readonly Stage[]): number {
  return stages.reduce((sum, s) => sum + s.duration, 0);
}

/** The test-wide planned value at `t` ms into the stages (integer VUs: truncated toward the stage start). */
export function vusAt(start: number, stages: readonly Stage[], t: number): number {
  let from = start;
  let at = 0;
  for (const s of stages) {
    if (t < at + s.duration) {
      const e = t - at;
      return from + Math.trunc(((s.target - from) * e) / s.duration);
    }
    at += s.duration;
    from = s.target;
  }
  return from;
}

export interface VuStep {
  /** ms after the scenario start. */
  at: number;
  /** This segment's VU count from `at` on. */
  vus: number;
}

/**
 * The moments this segment's planned VU count changes, in time order, starting with the count at
 * time 0. The test-wide count changes one VU at a time at evenly spaced moments within a stage
 * (count c is reached when `(c - from) / (to - from)` of the stage has passed); the segment's
 * count is scale() of it, so steps where the segment's share does not change are left out.
 */
export function vuSteps(start: number, stages: readonly Stage[], segment: SegmentInfo): VuStep[] {
  const steps: VuStep[] = [{ at: 0, vus: segment.scale(start) }];
  const push = (at: number, global: number) => {
    const vus = segment.scale(global);
    const last = steps[steps.length - 1];
    if (vus === last.vus) return;
    if (at === last.at) last.vus = vus;
    else steps.push({ at, vus });
  };
  let from = start;
  let at = 0;
  for (const s of stages) {
    const diff = s.target - from;
    if (s.duration === 0 || diff === 0) {
      push(at, s.target);
    } else {
      const n = Math.abs(diff);
      const dir = Math.sign(diff);
      for (let k = 1; k <= n; k++) push(at + (s.duration * k) / n, from + dir * k);
    }
    at += s.duration;
    from = s.target;
  }
  return steps;
}

/** The largest count this segment's VU plan reaches. */
export function maxPlannedVus(start: number, stages: readonly Stage[], segment: SegmentInfo): number {
  return segment.scale(Math.max(start, ...stages.map((s) => s.target)));
}

/**
 * Arrival-rate schedule over stages. Rates are per `timeUnit` ms. `total` is the number of
 * iterations the whole test starts (the area under the rate curve, rounded up); `timeOf(i)` is
 * when test-wide iteration i (0-based) starts: the first moment the area reaches i.
 */
export interface RateSchedule {
  readonly total: number;
  timeOf(i: number): number;
  rateAt(t: number): number;
}

/** Below this, an area counts as a whole number (guards against float dust adding an iteration). */
const AREA_EPSILON = 1e-9;

export function rateSchedule(startRate: number, stages: readonly Stage[], timeUnit: number): RateSchedule {
  // Per stage: start time, start rate, end rate (iterations per ms), cumulative area before it.
  const segs: { at: number; duration: number; r0: number; r1: number; before: number }[] = [];
  let at = 0;
  let before = 0;
  let r = startRate / timeUnit;
  for (const s of stages) {
    const r1 = s.target / timeUnit;
    segs.push({ at, duration: s.duration, r0: r, r1, before });
    before += ((r + r1) / 2) * s.duration;
    at += s.duration;
    r = r1;
  }
  const area = before;
  const total = Math.max(0, Math.ceil(area - AREA_EPSILON));
  return {
    total,
    timeOf(i: number): number {
      // The stage where the area passes i (a stage with zero area can not hold an iteration).
      let lo = 0;
      let hi = segs.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const end = segs[mid].before + ((segs[mid].r0 + segs[mid].r1) / 2) * segs[mid].duration;
        if (end > i) hi = mid;
        else lo = mid + 1;
      }
      const g = segs[lo];
      const n = Math.max(0, i - g.before);
      if (n === 0) return g.at;
      // Solve r0·e + a·e²/2 = n with a = (r1 - r0)/duration, in the form that is stable for a ≶ 0.
      const a = (g.r1 - g.r0) / g.duration;
      const disc = Math.max(0, g.r0 * g.r0 + 2 * a * n);
      const e = (2 * n) / (g.r0 + Math.sqrt(disc));
      return g.at + Math.min(g.duration, e);
    },
    rateAt(t: number): number {
      let v = startRate;
      for (const g of segs) {
        if (t < g.at + g.duration) {
          return (g.r0 + ((g.r1 - g.r0) * (t - g.at)) / g.duration) * timeUnit;
        }
        v = g.r1 * timeUnit;
      }
      return v;
    },
  };
}
