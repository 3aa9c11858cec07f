import { describe, expect, it } from 'vitest';
import { promValue, theilSenSlope } from '../../lib/theil-sen.ts';

describe('theilSenSlope', () => {
  it('is the exact slope of a line', () => {
    expect(theilSenSlope([0, 1, 2, 3, 4].map((x) => ({ x, y: 3 * x + 7 })))).toBeCloseTo(3, 12);
  });
  it('ignores an outlier that ruins least squares', () => {
    const pts = Array.from({ length: 21 }, (_, x) => ({ x, y: 2 * x }));
    pts[20] = { x: 20, y: 10_000 };
    expect(theilSenSlope(pts)).toBeCloseTo(2, 9);
  });
  it('is ~0 for a flat sawtooth (GC) and NaN without two distinct x', () => {
    const saw = Array.from({ length: 40 }, (_, x) => ({ x, y: 100 + (x % 4) * 5 }));
    expect(Math.abs(theilSenSlope(saw))).toBeLessThan(0.5);
    expect(theilSenSlope([{ x: 1, y: 1 }])).toBeNaN();
    expect(theilSenSlope([{ x: 1, y: 1 }, { x: 1, y: 5 }])).toBeNaN();
  });
});

describe('promValue', () => {
  const text = '# HELP x\nprocess_resident_memory_bytes 1234.5\nprocess_resident_memory_bytes_total 9\ntarget_leaked_bytes{a="b"} 42\n';
  it('reads plain and labelled samples, not prefixes of other names', () => {
    expect(promValue(text, 'process_resident_memory_bytes')).toBe(1234.5);
    expect(promValue(text, 'target_leaked_bytes')).toBe(42);
    expect(promValue(text, 'missing')).toBeUndefined();
  });
});
