import { describe, expect, it } from 'vitest';
import { formatDuration, formatElapsed, parseDuration } from '../../engine/duration.ts';

describe('k6 durations', () => {
  it.each([
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1h2m3s4ms', 3_723_004],
    ['100us', 0.1],
    ['0', 0],
    ['250', 250],
    [1500, 1500],
    ['-1s', -1000],
  ])('%j is %d ms', (value, ms) => {
    expect(parseDuration(value, 'x')).toBeCloseTo(ms, 9);
  });

  it.each(['', '1x', 's', '1.5', '1m 30s', 'abc'])('refuses %j naming the option', (value) => {
    expect(() => parseDuration(value, 'scenarios.a.duration')).toThrow(`invalid option scenarios.a.duration: "${value}" is not a duration`);
  });

  it('prints like Go (and k6)', () => {
    expect([0, 500, 1000, 1500, 30_000, 90_000, 600_000, 3_600_000, 3_723_000].map(formatDuration)).toEqual(['0s', '500ms', '1s', '1.5s', '30s', '1m30s', '10m0s', '1h0m0s', '1h2m3s']);
    expect([0, 5250, 65_200].map(formatElapsed)).toEqual(['00.0s', '05.2s', '1m05.2s']);
  });
});
