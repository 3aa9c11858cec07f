// The progress block's text, k6-style: header with elapsed, VUs and iterations; one bar per scenario.
import { describe, expect, it } from 'vitest';
import { bar, formatElapsed, renderProgress } from '../../../engine/runner/progress.ts';

describe('progress', () => {
  it('formats elapsed time like k6', () => {
    expect(formatElapsed(5_230)).toBe('0m05.2s');
    expect(formatElapsed(65_000)).toBe('1m05.0s');
    expect(formatElapsed(3_725_000)).toBe('1h02m05.0s');
  });
  it('draws bars of 40 cells', () => {
    expect(bar(0)).toBe(`[>${'-'.repeat(39)}]`);
    expect(bar(0.5)).toBe(`[${'='.repeat(20)}>${'-'.repeat(19)}]`);
    expect(bar(1)).toBe(`[${'='.repeat(40)}]`);
    expect(bar(Number.NaN)).toBe(bar(0));
  });
  it('renders the header and one row per scenario', () => {
    const lines = renderProgress({
      elapsedMs: 5_200,
      vusActive: 10,
      vusMax: 10,
      completed: 45,
      interrupted: 1,
      scenarios: [
        { name: 'default', fraction: 1, text: '10 VUs  30s' },
        { name: 'ramp', fraction: 0.25, text: '3/10 VUs' },
      ],
    });
    expect(lines[0]).toBe('running (0m05.2s), 10/10 VUs, 45 complete and 1 interrupted iterations');
    expect(lines[1]).toMatch(/^default ✓ \[=+\] 10 VUs {2}30s$/);
    expect(lines[2]).toMatch(/^ramp {6}\[=+>-+\] 3\/10 VUs$/);
  });
});
