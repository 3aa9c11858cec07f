import { describe, expect, it } from 'vitest';
import { rampHold, seconds, steady, stressShape, totalSeconds } from '../../lib/profile-table.ts';

describe('profile table', () => {
  it('parses k6 durations', () => {
    expect(seconds('1m30s')).toBe(90);
    expect(seconds('2h')).toBe(7200);
    expect(seconds('500ms')).toBe(0.5);
  });
  it('quick runs fit in 60 s, standard heavy is about 3 min, nightly is at least 15 min', () => {
    for (const peak of [50, 100, 200]) expect(totalSeconds(rampHold(peak, 'quick'))).toBeLessThanOrEqual(60);
    expect(totalSeconds(stressShape('quick').stages)).toBeLessThanOrEqual(60);
    expect(totalSeconds(rampHold(200, 'standard'))).toBeGreaterThanOrEqual(150);
    expect(totalSeconds(rampHold(200, 'standard'))).toBeLessThanOrEqual(210);
    expect(totalSeconds(rampHold(200, 'nightly'))).toBeGreaterThanOrEqual(900);
    expect(totalSeconds(stressShape('nightly').stages)).toBeGreaterThanOrEqual(900);
    expect(seconds(steady('quick', '30s', '5m', '20m'))).toBe(30);
  });
  it('standard and nightly hold the guide\'s user counts; quick a quarter of them', () => {
    expect(rampHold(200, 'standard')[1]?.target).toBe(200);
    expect(rampHold(100, 'nightly')[1]?.target).toBe(100);
    expect(rampHold(200, 'quick')[1]?.target).toBe(50);
  });
  it('stress peaks at 500 users and returns to a baseline; peakEnd is the end of the hold', () => {
    const s = stressShape('standard');
    expect(Math.max(...s.stages.map((st) => st.target))).toBe(500);
    expect(s.stages.at(-1)?.target).toBe(s.baseline);
    expect(s.peakEnd).toBe(240);
    expect(s.recoveryWindow).toBe(30);
    expect(stressShape('quick').recoveryWindow).toBeLessThan(30);
  });
});
