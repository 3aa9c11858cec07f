import { describe, expect, it } from 'vitest';
import { parseServerTiming } from '../../lib/server-timing.ts';

describe('parseServerTiming', () => {
  it.each([
    ['db;dur=1.234, cache;dur=0.056', { db: 1.234, cache: 0.056 }],
    ['db;desc="Postgres";dur=12', { db: 12 }],
    ['cache;dur="0.5"', { cache: 0.5 }],
    ['miss, db;dur=3', { db: 3 }],
    ['db;dur=abc', {}],
    ['', {}],
  ])('%s', (header, expected) => {
    expect(parseServerTiming(header)).toEqual(expected);
  });

  it('no header', () => {
    expect(parseServerTiming(undefined)).toEqual({});
  });
});
