// VUs initialised up front: the peak, over time, of the summed needs of overlapping scenarios.
import { describe, expect, it } from 'vitest';
import { idOffset, maxPlannedVus, plannedVus } from '../../../engine/runner/plan.ts';

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

describe('idOffset', () => {
  const perSegment = (seg: string) => ({ '0:1/3': 4, '1/3:2/3': 3, '2/3:1': 3, '0:1/2': 5 })[seg] ?? 0;
  it('sums the VUs of the segments before this one in the sequence', () => {
    const of = (s: string) => perSegment(s);
    expect(idOffset('0:1/3', '0,1/3,2/3,1', of)).toBe(0);
    expect(idOffset('1/3:2/3', '0,1/3,2/3,1', of)).toBe(4);
    expect(idOffset('2/3:1', '0,1/3,2/3,1', of)).toBe(7);
    expect(idOffset('1/2:1', undefined, of)).toBe(5);
    expect(idOffset(undefined, undefined, of)).toBe(0);
  });
});
