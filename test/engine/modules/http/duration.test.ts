/**
 * The `timeout` param's durations as k6 reads them: numbers and unit-less strings are
 * milliseconds; Go durations with an optional leading day count.
 */
import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../../../engine/modules/http/duration.ts';

describe('parseDurationMs', () => {
  it.each([
    [1500, 1500],
    ['1500', 1500],
    ['2.5', 2.5],
    ['500ms', 500],
    ['60s', 60_000],
    ['2.5s', 2500],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1500us', 1.5],
    ['1d', 86_400_000],
    ['1d12h', 129_600_000],
    ['.5s', 500],
  ])('%j → %d ms', (v, ms) => {
    expect(parseDurationMs(v, 'params.timeout')).toBeCloseTo(ms, 9);
  });

  it.each(['soon', '', '10 parsecs', '-1s', '1x', 's'])('%j is one clear error', (v) => {
    expect(() => parseDurationMs(v, 'params.timeout')).toThrow(/params.timeout: invalid duration/);
  });

  it('rejects negative and non-finite numbers', () => {
    expect(() => parseDurationMs(-1, 'params.timeout')).toThrow(/invalid duration/);
    expect(() => parseDurationMs(Infinity, 'params.timeout')).toThrow(/invalid duration/);
  });
});
