// readiness runs its scenarios back to back against one target, which limits each user to 100
// requests a minute: three scenarios in a row must log in as different seeded users.
import { describe, expect, it } from 'vitest';
import { userOffset } from '../../cli/readiness.ts';

describe('readiness user offsets', () => {
  it('three scenarios in a row start a third of the seeded users apart, then wrap', () => {
    expect([0, 1, 2, 3, 4].map((i) => userOffset(i, 500))).toEqual([0, 166, 332, 0, 166]);
  });

  it('ranges of up to a third of the users do not overlap within three scenarios', () => {
    const users = (i: number, vus: number) => new Set(Array.from({ length: vus }, (_, v) => ((v + userOffset(i, 500)) % 500) + 1));
    const [a, b, c] = [users(0, 125), users(1, 166), users(2, 166)];
    for (const u of b) expect(a.has(u) || c.has(u)).toBe(false);
    for (const u of c) expect(a.has(u)).toBe(false);
  });
});
