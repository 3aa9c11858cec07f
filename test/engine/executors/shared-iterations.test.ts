import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createExecutor, normalizeScenarios } from '../../../engine/executors/index.ts';
import type { ScenarioConfig } from '../../../engine/executors/index.ts';
import { parseSegment, workerSegments } from '../../../engine/execution/segment.ts';
import { FakeRuntime, runOnVirtualClock, useVirtualClock } from './fake-runtime.ts';

function config(over: Record<string, unknown>): ScenarioConfig {
  return normalizeScenarios({ scenarios: { s: { executor: 'shared-iterations', ...over } } }).s;
}

describe('shared-iterations', () => {
  beforeEach(useVirtualClock);
  afterEach(() => vi.useRealTimers());

  it('runs exactly 100 iterations over 10 VUs, each number once', async () => {
    const rt = new FakeRuntime({ pool: 10, iterationMs: 3 });
    const ex = createExecutor('s', config({ vus: 10, iterations: 100 }), rt.segment);
    expect(ex.preAllocatedVus()).toBe(10);
    await runOnVirtualClock(ex.run(rt));
    expect(rt.calls).toHaveLength(100);
    expect(rt.completed()).toBe(100);
    expect(new Set(rt.calls.map((c) => c.vu)).size).toBe(10);
    expect(rt.maxConcurrent).toBe(10);
    expect(rt.calls.map((c) => c.iterationInTest).sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
    // exec.vu.iterationInScenario: 0, 1, 2, … for each VU, in the order the VU ran them.
    for (const vu of new Set(rt.calls.map((c) => c.vu))) {
      const mine = rt.calls.filter((c) => c.vu === vu).map((c) => c.iterationInScenario);
      expect(mine).toEqual([...Array(mine.length).keys()]);
    }
    expect(rt.handedOut.size).toBe(0);
    expect(rt.sum('dropped_iterations')).toBe(0);
    expect(ex.progress()).toMatchObject({ fraction: 1, completed: 100, interrupted: 0, text: '100/100 shared iters among 10 VUs' });
  });

  it('stops at maxDuration, interrupts after gracefulStop and counts the rest as dropped', async () => {
    const rt = new FakeRuntime({ pool: 2, iterationMs: 400 });
    const c = { ...config({ vus: 2, iterations: 50 }), maxDuration: 500, gracefulStop: 100 } as ScenarioConfig;
    const ex = createExecutor('s', c, rt.segment);
    expect(ex.maxDuration()).toBe(600);
    const t0 = rt.now();
    await runOnVirtualClock(ex.run(rt));
    const took = rt.now() - t0;
    // 2 VUs: iterations at 0-400 (complete), 400-800 (interrupted at 600).
    expect(rt.completed()).toBe(2);
    expect(rt.calls.filter((x) => x.outcome === 'interrupted')).toHaveLength(2);
    expect(took).toBeGreaterThanOrEqual(590);
    expect(took).toBeLessThan(1000);
    expect(rt.sum('dropped_iterations')).toBe(46);
  });

  it('two half-segments together run the same iterations as one full segment', async () => {
    const [a, b] = workerSegments(2).map((w) => parseSegment(w.segment, w.sequence));
    const c = config({ vus: 3, iterations: 25 });
    const ra = new FakeRuntime({ pool: 3, iterationMs: 2, segment: a });
    const rb = new FakeRuntime({ pool: 3, iterationMs: 2, segment: b, firstId: 100 });
    const ea = createExecutor('s', c, a);
    const eb = createExecutor('s', c, b);
    expect(ea.preAllocatedVus() + eb.preAllocatedVus()).toBe(3);
    await runOnVirtualClock(Promise.all([ea.run(ra), eb.run(rb)]));
    expect(ra.calls.length + rb.calls.length).toBe(25);
    const numbers = [...ra.calls, ...rb.calls].map((x) => x.iterationInTest).sort((x, y) => x - y);
    expect(numbers).toEqual([...Array(25).keys()]);
  });

  it('loses no iteration when there are more segments than VUs', async () => {
    const segs = workerSegments(4).map((w) => parseSegment(w.segment, w.sequence));
    const c = config({ vus: 1, iterations: 10 });
    const runs = segs.map((s, k) => ({ rt: new FakeRuntime({ iterationMs: 1, segment: s, firstId: 100 * k }), ex: createExecutor('s', c, s) }));
    expect(runs.map((r) => r.ex.preAllocatedVus())).toEqual([1, 0, 0, 0]);
    await runOnVirtualClock(Promise.all(runs.map((r) => r.ex.run(r.rt))));
    expect(runs.map((r) => r.rt.calls.length)).toEqual([10, 0, 0, 0]);
  });

  it('starts nothing when the test is aborted before its startTime', async () => {
    const rt = new FakeRuntime({ pool: 1 });
    const ex = createExecutor('s', { ...config({ vus: 1, iterations: 5 }), startTime: 200 } as ScenarioConfig, rt.segment);
    setTimeout(() => rt.controller.abort(), 50);
    await runOnVirtualClock(ex.run(rt));
    expect(rt.calls).toHaveLength(0);
    expect(rt.now()).toBeLessThan(190);
  });
});
