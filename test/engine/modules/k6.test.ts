/** The `k6` module on a real VU context: check, group, sleep, fail, randomSeed. */
import { describe, expect, it } from 'vitest';
import { IterationInterrupted } from '../../../engine/errors.ts';
import { harness } from '../vu/harness.ts';

async function k6OnVu() {
  const h = await harness('shapes/12-per-vu-state.js');
  const vu = await h.vu(1, {}, { tags: { env: 'ci' } });
  const { k6Module } = await import('../../../engine/modules/k6.ts');
  return { h, vu, k6: k6Module(vu.context) as Record<string, (...a: any[]) => any> };
}

describe('k6 module', () => {
  it('check emits one checks sample per condition, with check, group and call-site tags; returns whether all passed', async () => {
    const { h, k6 } = await k6OnVu();
    expect(k6.check?.(5, { 'is five': (v: number) => v === 5, 'is six': (v: number) => v === 6, literal: true }, { page: 'home' })).toBe(false);
    expect(k6.check?.(5, { ok: () => 1 })).toBe(true);
    expect(h.rec.of('checks').map((s) => [s.tags.check, s.value, s.tags.page, s.tags.env, s.tags.group])).toEqual([
      ['is five', 1, 'home', 'ci', ''],
      ['is six', 0, 'home', 'ci', ''],
      ['literal', 1, 'home', 'ci', ''],
      ['ok', 1, undefined, 'ci', ''],
    ]);
  });

  it("group and check names may not contain '::'; an exception in a group restores the path", async () => {
    const { vu, k6 } = await k6OnVu();
    expect(() => k6.check?.(1, { 'a::b': true })).toThrow("check names may not contain '::'");
    await expect(k6.group?.('x::y', () => 1)).rejects.toThrow("group names may not contain '::'");
    await expect(
      k6.group?.('outer', () => {
        throw new Error('inside');
      }),
    ).rejects.toThrow('inside');
    expect(vu.context.groupPath).toBe('');
  });

  it('sleep waits about the time asked; sleep(0) and negative values return at once', async () => {
    const { k6 } = await k6OnVu();
    let t0 = performance.now();
    await k6.sleep?.(0.03);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(28);
    t0 = performance.now();
    await k6.sleep?.(0);
    await k6.sleep?.(-1);
    expect(performance.now() - t0).toBeLessThan(20);
  });

  it('sleep rejects with IterationInterrupted when the VU is interrupted', async () => {
    const { vu, k6 } = await k6OnVu();
    const p = k6.sleep?.(10);
    vu.interrupt('abort');
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IterationInterrupted);
    expect((err as IterationInterrupted).reason).toBe('abort');
  });

  it('fail throws with its message', async () => {
    const { k6 } = await k6OnVu();
    expect(() => k6.fail?.('stop here')).toThrow('stop here');
  });
});
