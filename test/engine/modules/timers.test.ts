/** k6/timers and the global timers: per VU, tracked (the iteration waits), cleared on interrupt. */
import { describe, expect, it } from 'vitest';
import { timersModule } from '../../../engine/modules/timers.ts';
import { harness } from '../vu/harness.ts';

describe('k6/timers', () => {
  it('the module exports the same tracked timer functions the script sees as globals', async () => {
    const h = await harness('shapes/15-timer-blocking-callback.js');
    const vu = await h.vu(1);
    const t = timersModule(vu.context) as Record<string, (...a: any[]) => any>;
    const again = timersModule(vu.context) as Record<string, unknown>;
    expect(t.setTimeout).toBe(again.setTimeout);
    // a timer set outside the script is still tracked by the VU's next iteration
    let fired = false;
    vu.context.on('iterationStart', () => void t.setTimeout?.(() => (fired = true), 25));
    const t0 = performance.now();
    await h.iterate(vu, 1);
    expect(fired).toBe(true);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(20);
  });

  it('timer ids are numbers; clearTimeout of an unknown id is harmless', async () => {
    const h = await harness('shapes/01-plain-sleep.js');
    const vu = await h.vu(1);
    const t = timersModule(vu.context) as Record<string, (...a: any[]) => any>;
    const id = t.setTimeout?.(() => undefined, 1000);
    expect(typeof id).toBe('number');
    t.clearTimeout?.(12345);
    t.clearTimeout?.(id);
    expect(() => t.setTimeout?.('not a function', 1)).toThrow('setTimeout: callback is not a function');
  });

  it('an interrupt clears pending timers: the callback never runs', async () => {
    const h = await harness('shapes/14-settimeout.js');
    const vu = await h.vu(1);
    const p = h.iterate(vu, 1);
    setTimeout(() => vu.interrupt('gracefulStop'), 2);
    expect(await p).toEqual(['interrupted']);
    await new Promise((r) => setTimeout(r, 30));
    expect(h.rec.console).toEqual(['body done']);
  });
});
