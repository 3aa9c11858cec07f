/**
 * wms/auth/jwt.ts: the target's HS256 tokens, and the verifier that remembers the tokens that passed
 * (what every /api request pays): the memory never lets through what verifyJwt would refuse.
 */
import { describe, expect, it } from 'vitest';
import { cachedVerifier, signJwt, verifyJwt } from '../../wms/auth/jwt.ts';

const secret = 'test-secret';
const now = Date.UTC(2026, 11, 1);
const user = { sub: 2, username: 'user0001', role: 'user' };

/** A cachedVerifier over verifyJwt that counts the full checks it makes. */
function counted(max?: number) {
  const checks: string[] = [];
  const verify = cachedVerifier(secret, max, (token, s, at) => {
    checks.push(token);
    return verifyJwt(token, s, at);
  });
  return { verify, checks };
}

describe('cachedVerifier', () => {
  it('checks a token once, then answers from memory with the same claims', () => {
    const { verify, checks } = counted();
    const token = signJwt(user, secret, 60, now);
    const first = verify(token, now);
    expect(first).toMatchObject({ ...user, exp: now / 1000 + 60 });
    expect(verify(token, now + 1000)).toEqual(first);
    expect(checks).toEqual([token]);
  });

  it('refuses a remembered token once it has expired, and forgets it', () => {
    const { verify, checks } = counted();
    const token = signJwt(user, secret, 60, now);
    expect(verify(token, now)).not.toBeNull();
    expect(verify(token, now + 60_000)).toBeNull();
    // forgotten: asked again (with a clock before expiry) it is checked afresh
    expect(verify(token, now)).not.toBeNull();
    expect(checks).toEqual([token, token]);
  });

  it('never remembers a forged, tampered or expired token: each is checked and refused every time', () => {
    const { verify, checks } = counted();
    const forged = signJwt({ ...user, role: 'admin' }, 'not-the-secret', 60, now);
    const good = signJwt(user, secret, 60, now);
    const [h, , sig] = good.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...user, role: 'admin', iat: now / 1000, exp: now / 1000 + 60 })).toString('base64url')}.${sig}`;
    const expired = signJwt(user, secret, 60, now - 120_000);
    for (let i = 0; i < 2; i++) for (const t of [forged, tampered, expired, 'not.a.token', '']) expect(verify(t, now)).toBeNull();
    expect(checks).toHaveLength(10);
  });

  it('holds at most `max` tokens: full, it starts afresh and every token still verifies', () => {
    const { verify, checks } = counted(2);
    const tokens = [1, 2, 3].map((sub) => signJwt({ ...user, sub }, secret, 60, now));
    for (const t of tokens) expect(verify(t, now)?.sub).toBeGreaterThan(0);
    // the third found the memory full and cleared it: it alone is remembered
    expect(verify(tokens[2] as string, now)).not.toBeNull();
    expect(checks).toEqual(tokens);
    for (const t of tokens) expect(verify(t, now)).not.toBeNull();
  });
});
