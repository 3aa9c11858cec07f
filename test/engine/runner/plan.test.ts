// VUs initialised up front: the peak, over time, of the summed needs of overlapping scenarios.
import { describe, expect, it } from 'vitest';
import { maxPlannedVus, plannedVus } from '../../../engine/runner/plan.ts';

const s = (startTime: number, duration: number, pre: number, max = pre) => ({
  startTime,
  maxDuration: () => duration,
  preAllocatedVus: () => pre,
  maxVus: () => max,
});

describe('plannedVus', () => {
  it('overlapping scenarios add up, sequential ones share', () => {
    expect(plannedVus([s(0, 10_000, 5), s(0, 10_000, 3)])).toBe(8);
    expect(plannedVus([s(0, 10_000, 5), s(10_000, 10_000, 3)])).toBe(5);
    expect(plannedVus([s(0, 10_000, 5), s(5_000, 10_000, 3), s(12_000, 1_000, 4)])).toBe(8);
    expect(plannedVus([])).toBe(0);
  });
  it('arrival-rate: preAllocated up front, maxVUs as the ceiling', () => {
    expect(plannedVus([s(0, 1000, 2, 10), s(0, 1000, 1)])).toBe(3);
    expect(maxPlannedVus([s(0, 1000, 2, 10), s(0, 1000, 1)])).toBe(11);
  });
});
