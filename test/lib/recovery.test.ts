import { describe, expect, it } from 'vitest';
import { recoveryTime, type Probe } from '../../lib/recovery.ts';

const probes = (from: number, to: number, ok: boolean, durationMs = 10): Probe[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ t: from + i, ok, durationMs }));
const o = { peakEnd: 10, latencyBoundMs: 500, window: 30 };

describe('recoveryTime', () => {
  it('is 0 when probes are good through and after the peak', () => {
    expect(recoveryTime(probes(0, 45, true), o)).toBe(0);
  });
  it('counts from the end of the peak to the start of the 30 s good streak', () => {
    expect(recoveryTime([...probes(0, 24, false), ...probes(25, 60, true)], o)).toBe(15);
  });
  it('a slow probe breaks the streak like a failed one', () => {
    const ps = [...probes(0, 14, false), ...probes(15, 30, true), { t: 31, ok: true, durationMs: 900 }, ...probes(32, 70, true)];
    expect(recoveryTime(ps, o)).toBe(22);
  });
  it('is undefined until the streak is long enough', () => {
    expect(recoveryTime([...probes(0, 24, false), ...probes(25, 50, true)], o)).toBeUndefined();
  });
  it('scales with the window (quick profile uses a shorter window)', () => {
    expect(recoveryTime([...probes(0, 12, false), ...probes(13, 20, true)], { ...o, window: 5 })).toBe(3);
  });
});
