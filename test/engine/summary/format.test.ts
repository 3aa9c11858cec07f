/** Human units as k6 prints them (the values in k6's documented summary examples). */
import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatNumber, formatPercent } from '../../../engine/summary/format.ts';

describe('units', () => {
  it.each([
    [0, '0s'],
    [0.007, '7µs'],
    [0.01225, '12.25µs'],
    [0.66396, '663.96µs'],
    [1.66, '1.66ms'],
    [148.21, '148.21ms'],
    [999.994, '999.99ms'],
    [1350, '1.35s'],
    [12910, '12.91s'],
    [62500, '1m2.5s'],
    [3_723_000, '1h2m3s'],
    [-5, '-5ms'],
  ])('duration %s ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it.each([
    ['s', 1500, '1.5s'],
    ['ms', 1.23456, '1.235ms'],
    ['us', 1.5, '1500µs'],
  ])('summaryTimeUnit %s', (unit, ms, text) => expect(formatDuration(ms, unit)).toBe(text));

  it.each([
    [0, '0 B'],
    [540, '540 B'],
    [3700, '3.7 kB'],
    [81_000, '81 kB'],
    [519_000, '519 kB'],
    [1_300_000, '1.3 MB'],
    [2_000, '2.0 kB'],
  ])('bytes %s → %s', (n, text) => expect(formatBytes(n)).toBe(text));

  it('numbers and percentages', () => {
    expect(formatNumber(45)).toBe('45');
    expect(formatNumber(4.36938)).toBe('4.36938');
    expect(formatNumber(13.1221794)).toBe('13.122179');
    expect(formatNumber(152.3555555)).toBe('152.355556');
    expect(formatPercent(1)).toBe('100.00%');
    expect(formatPercent(0)).toBe('0.00%');
    expect(formatPercent(0.12345)).toBe('12.35%');
  });
});
