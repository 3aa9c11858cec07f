import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createExecutor, normalizeScenarios } from '../../../engine/executors/index.ts';
import type { ScenarioConfig } from '../../../engine/executors/index.ts';
import { vusAt } from '../../../engine/executors/stages.ts';
import { parseSegment, workerSegments } from '../../../engine/execution/segment.ts';
import { FakeRuntime, runOnVirtualClock, useVirtualClock } from './fake-runtime.ts';

function config(over: Record<string, unknown>): ScenarioConfig {
  return normalizeScenarios({ scenarios: { s: { executor: 'ramping-vus', ...over } } }).s;
}

describe('ramping-vus', () => {
  beforeEach(useVirtualClock);
  afterEach(() => vi.useRealTimers());

  it('follows the stage plan: VUs sampled every second within ±1', async () => {
    const stages = [
      { duration: '2s', target: 6 },
      { duration: '1s', target: 6 },
      { duration: '2s', target: 0 },
    ];
    const rt = new FakeRuntime({ pool: 6, iterationMs: 40 });
    const c = config({ startVUs: 0, stages, gracefulRampDown: '0s' });
    const ex = createExecutor('s', c, rt.segment);
    expect(ex.preAllocatedVus()).toBe(6);
    expect(ex.maxDuration()).toBe(5000 + 30_000);
    const samples: { t: number; vus: number; plan: number }[] = [];
    const t0 = rt.now();
    const sampler = setInterval(() => {
      const t = rt.now() - t0;
      samples.push({ t, vus: rt.concurrent, plan: vusAt(0, [{ duration: 2000, target: 6 }, { duration: 1000, target: 6 }, { duration: 2000, target: 0 }], t) });
    }, 1000);
    await runOnVirtualClock(ex.run(rt));
    clearInterval(sampler);
    expect(samples.length).toBeGreaterThanOrEqual(4);
    for (const s of samples.slice(0, 4)) expect(Math.abs(s.vus - s.plan), JSON.stringify(s)).toBeLessThanOrEqual(1);
    // The samples fall on the ramp up, the plateau and the ramp down (not all on a flat 0).
    expect(samples[1].plan).toBeGreaterThanOrEqual(5);
    expect(samples[2].plan).toBe(6);
    expect(rt.maxConcurrent).toBe(6);
    expect(rt.handedOut.size).toBe(0);
  });

  it('ramps down the highest-numbered VUs first; their iteration gets gracefulRampDown, then is interrupted', async () => {
    const rt = new FakeRuntime({ pool: 4, iterationMs: 1000 });
    const c = config({
      startVUs: 4,
      stages: [
        { duration: 300, target: 4 },
        { duration: 0, target: 2 },
        { duration: 300, target: 2 },
      ],
      gracefulRampDown: 100,
      gracefulStop: 50,
    });
    await runOnVirtualClock(createExecutor('s', c, rt.segment).run(rt));
    const at = (vu: number) => rt.interrupts.find((i) => i.vu === vu)!.at;
    for (const vu of [3, 4]) {
      expect(at(vu)).toBeGreaterThanOrEqual(395);
      expect(at(vu)).toBeLessThan(600);
    }
    for (const vu of [1, 2]) {
      expect(at(vu)).toBeGreaterThanOrEqual(645);
      expect(at(vu)).toBeLessThan(1000);
    }
    expect(rt.calls.every((x) => x.outcome === 'interrupted')).toBe(true);
  });

  it('ramped-down VUs start no new iteration; an iteration that ends within gracefulRampDown completes', async () => {
    const rt = new FakeRuntime({ pool: 3, iterationMs: 120 });
    const c = config({
      startVUs: 3,
      stages: [
        { duration: 200, target: 3 },
        { duration: 0, target: 1 },
        { duration: 400, target: 1 },
      ],
      gracefulRampDown: 500,
      gracefulStop: 500,
    });
    await runOnVirtualClock(createExecutor('s', c, rt.segment).run(rt));
    const late = rt.calls.filter((x) => x.start >= 260);
    expect(late.length).toBeGreaterThan(0);
    expect(new Set(late.map((x) => x.vu))).toEqual(new Set([1]));
    expect(rt.interrupts).toHaveLength(0);
    expect(rt.calls.every((x) => x.outcome === 'completed')).toBe(true);
  });

  it('ramps up from startVUs using the lowest-numbered VUs', async () => {
    const rt = new FakeRuntime({ pool: 4, iterationMs: 20 });
    const c = config({ startVUs: 1, stages: [{ duration: 300, target: 1 }, { duration: 0, target: 4 }, { duration: 300, target: 4 }] });
    await runOnVirtualClock(createExecutor('s', c, rt.segment).run(rt));
    expect(new Set(rt.calls.filter((x) => x.start < 280).map((x) => x.vu))).toEqual(new Set([1]));
    expect(new Set(rt.calls.filter((x) => x.start > 320).map((x) => x.vu))).toEqual(new Set([1, 2, 3, 4]));
  });

  it('splits the plan across two half-segments: the VU counts add up to the plan', async () => {
    const segs = workerSegments(2).map((w) => parseSegment(w.segment, w.sequence));
    const c = config({ startVUs: 0, stages: [{ duration: 400, target: 5 }, { duration: 200, target: 5 }] });
    const exs = segs.map((s) => createExecutor('s', c, s));
    expect(exs.map((e) => e.preAllocatedVus())).toEqual([3, 2]);
    const rts = segs.map((s, k) => new FakeRuntime({ segment: s, iterationMs: 20, firstId: 100 * k }));
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rts[0].concurrent + rts[1].concurrent)), 10);
    await runOnVirtualClock(Promise.all(exs.map((e, k) => e.run(rts[k]))));
    clearInterval(sampler);
    expect(peak).toBe(5);
  });

  it('is stopped by the test abort: parked VUs wake and the run ends', async () => {
    const rt = new FakeRuntime({ pool: 3, iterationMs: 20 });
    const c = config({ startVUs: 1, stages: [{ duration: '10s', target: 1 }, { duration: '10s', target: 3 }], gracefulStop: 0 });
    setTimeout(() => rt.controller.abort(), 150);
    await runOnVirtualClock(createExecutor('s', c, rt.segment).run(rt));
    expect(rt.now()).toBeLessThan(800);
    expect(rt.handedOut.size).toBe(0);
  });
});
