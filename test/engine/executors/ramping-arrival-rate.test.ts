import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createExecutor, normalizeScenarios } from '../../../engine/executors/index.ts';
import type { ScenarioConfig } from '../../../engine/executors/index.ts';
import { rateSchedule } from '../../../engine/executors/stages.ts';
import { parseSegment, workerSegments } from '../../../engine/execution/segment.ts';
import { FakeRuntime, runOnVirtualClock, useVirtualClock } from './fake-runtime.ts';

function config(over: Record<string, unknown>): ScenarioConfig {
  return normalizeScenarios({ scenarios: { s: { executor: 'ramping-arrival-rate', ...over } } }).s;
}

const stages = [
  { duration: '1s', target: 100 },
  { duration: '1s', target: 100 },
  { duration: '500ms', target: 0 },
];

describe('ramping-arrival-rate', () => {
  beforeEach(useVirtualClock);
  afterEach(() => vi.useRealTimers());

  it('starts the area under the rate curve: 50 + 100 + 25 = 175 iterations, each at its time', async () => {
    const rt = new FakeRuntime({ pool: 10, iterationMs: 5 });
    const ex = createExecutor('s', config({ startRate: 0, stages, preAllocatedVUs: 10 }), rt.segment);
    expect(ex.maxDuration()).toBe(2500 + 30_000);
    const t0 = rt.now();
    await runOnVirtualClock(ex.run(rt));
    // 10 VUs for ≤ 1 busy at a time: only a stall of the whole (loaded) box could drop any.
    expect(rt.calls.length + rt.sum('dropped_iterations')).toBe(175);
    expect(rt.sum('dropped_iterations')).toBeLessThanOrEqual(3);
    const plan = rateSchedule(0, [{ duration: 1000, target: 100 }, { duration: 1000, target: 100 }, { duration: 500, target: 0 }], 1000);
    for (const c of rt.calls) {
      const late = c.start - t0 - plan.timeOf(c.iterationInTest);
      expect(late).toBeGreaterThan(-1);
      expect(late).toBeLessThan(150);
    }
    // The first second ramps 0→100/s: fewer starts in its first half than in its second.
    const firstHalf = rt.calls.filter((c) => c.start - t0 < 500).length;
    const secondHalf = rt.calls.filter((c) => c.start - t0 >= 500 && c.start - t0 < 1000).length;
    expect(firstHalf).toBeLessThan(secondHalf);
    expect(ex.progress().text).toBe('00/10 VUs  02.5s/2.5s  0.00 iters/s');
  });

  it('uses timeUnit: 600 per minute is 10 per second', async () => {
    const rt = new FakeRuntime({ pool: 2, iterationMs: 5 });
    await runOnVirtualClock(createExecutor('s', config({ startRate: 600, timeUnit: '1m', stages: [{ duration: '1s', target: 600 }], preAllocatedVUs: 2 }), rt.segment).run(rt));
    expect(rt.calls).toHaveLength(10);
  });

  it('drops iterations beyond maxVUs', async () => {
    const rt = new FakeRuntime({ pool: 1, iterationMs: 400 });
    await runOnVirtualClock(createExecutor('s', config({ startRate: 40, stages: [{ duration: '1s', target: 40 }], preAllocatedVUs: 1, maxVUs: 2, gracefulStop: '1s' }), rt.segment).run(rt));
    expect(rt.sum('dropped_iterations')).toBeGreaterThan(0);
    expect(rt.calls.length + rt.sum('dropped_iterations')).toBe(40);
  });

  it('two half-segments start each test-wide iteration exactly once', async () => {
    const segs = workerSegments(2).map((w) => parseSegment(w.segment, w.sequence));
    const c = config({ startRate: 20, stages: [{ duration: '1s', target: 80 }], preAllocatedVUs: 20 });
    const rts = segs.map((s, k) => new FakeRuntime({ segment: s, iterationMs: 5, firstId: 100 * k }));
    await runOnVirtualClock(Promise.all(segs.map((s, k) => createExecutor('s', c, s).run(rts[k]))));
    const numbers = rts.flatMap((r) => r.calls.map((x) => x.iterationInTest)).sort((a, b) => a - b);
    expect(numbers).toEqual([...Array(50).keys()]);
  });
});
