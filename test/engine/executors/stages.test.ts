import { describe, expect, it } from 'vitest';
import { maxPlannedVus, rateSchedule, totalDuration, vusAt, vuSteps } from '../../../engine/executors/stages.ts';
import { parseSegment, workerSegments } from '../../../engine/execution/segment.ts';

const ramp = [
  { duration: 1000, target: 10 },
  { duration: 500, target: 10 },
  { duration: 0, target: 4 },
  { duration: 1000, target: 0 },
];

describe('VU stages', () => {
  it('interpolates linearly, reaching each target at the stage end', () => {
    expect(totalDuration(ramp)).toBe(2500);
    expect([0, 99, 100, 500, 999, 1000, 1200, 1499, 1500, 1750, 2499, 2500, 9999].map((t) => vusAt(0, ramp, t))).toEqual([0, 0, 1, 5, 9, 10, 10, 10, 4, 3, 1, 0, 0]);
    expect(vusAt(3, [{ duration: 1000, target: 3 }], 500)).toBe(3);
  });

  it('steps match vusAt for the whole test', () => {
    const steps = vuSteps(0, ramp, parseSegment());
    expect(steps[0]).toEqual({ at: 0, vus: 0 });
    for (let t = 0; t <= 2600; t += 7) {
      const current = steps.filter((s) => s.at <= t).pop()!;
      expect(current.vus, `t=${t}`).toBe(vusAt(0, ramp, t));
    }
  });

  it.each([2, 3, 4])('the steps of %i segments add up to the whole plan at every moment', (n) => {
    const segs = workerSegments(n).map((w) => parseSegment(w.segment, w.sequence));
    const plans = segs.map((s) => vuSteps(2, ramp, s));
    for (let t = 0; t <= 2600; t += 5) {
      const sum = plans.reduce((a, steps) => a + steps.filter((s) => s.at <= t).pop()!.vus, 0);
      expect(sum, `t=${t}`).toBe(vusAt(2, ramp, t));
    }
    expect(segs.reduce((a, s) => a + maxPlannedVus(2, ramp, s), 0)).toBe(10);
  });
});

describe('rate stages', () => {
  it('a constant rate puts iteration i at i × timeUnit / rate', () => {
    const s = rateSchedule(50, [{ duration: 2000, target: 50 }], 1000);
    expect(s.total).toBe(100);
    for (const i of [0, 1, 37, 99]) expect(s.timeOf(i)).toBeCloseTo(i * 20, 6);
  });

  it('a ramp starts iterations where the area under the rate reaches i', () => {
    // 0 → 100/s over 1 s: area(t) = 50 t² (t in s), so iteration i is at sqrt(i/50) s.
    const s = rateSchedule(0, [{ duration: 1000, target: 100 }, { duration: 1000, target: 100 }, { duration: 1000, target: 0 }], 1000);
    expect(s.total).toBe(50 + 100 + 50);
    for (const i of [0, 1, 10, 49]) expect(s.timeOf(i)).toBeCloseTo(Math.sqrt(i / 50) * 1000, 6);
    for (const i of [50, 120, 149]) expect(s.timeOf(i)).toBeCloseTo(1000 + (i - 50) * 10, 6);
    // Ramp down 100 → 0: area after e s is 100e − 50e², iteration 150 + k at the root.
    for (const k of [0, 25, 49]) expect(s.timeOf(150 + k)).toBeCloseTo(2000 + (1 - Math.sqrt(1 - k / 50)) * 1000, 6);
    let prev = -1;
    for (let i = 0; i < s.total; i++) {
      expect(s.timeOf(i)).toBeGreaterThan(prev);
      prev = s.timeOf(i);
    }
    expect(s.rateAt(500)).toBeCloseTo(50, 9);
    expect(s.rateAt(2500)).toBeCloseTo(50, 9);
  });

  it('a zero-rate hold starts nothing; the first iteration waits for the rate', () => {
    const s = rateSchedule(0, [{ duration: 1000, target: 0 }, { duration: 0, target: 10 }, { duration: 1000, target: 10 }], 1000);
    expect(s.total).toBe(10);
    expect(s.timeOf(0)).toBe(1000);
    expect(s.timeOf(9)).toBeCloseTo(1900, 6);
    expect(rateSchedule(0, [{ duration: 1000, target: 0 }], 1000).total).toBe(0);
  });
});
