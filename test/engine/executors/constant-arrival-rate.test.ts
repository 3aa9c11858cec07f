import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createExecutor, normalizeScenarios } from '../../../engine/executors/index.ts';
import type { ScenarioConfig } from '../../../engine/executors/index.ts';
import { parseSegment, workerSegments } from '../../../engine/execution/segment.ts';
import { FakeRuntime, runOnVirtualClock, useVirtualClock } from './fake-runtime.ts';

function config(over: Record<string, unknown>): ScenarioConfig {
  return normalizeScenarios({ scenarios: { s: { executor: 'constant-arrival-rate', ...over } } }).s;
}

describe('constant-arrival-rate', () => {
  beforeEach(useVirtualClock);
  afterEach(() => vi.useRealTimers());

  it('200 iterations/s for 10 s starts exactly 2000, each at its scheduled time', async () => {
    const rt = new FakeRuntime({ pool: 20, iterationMs: 5 });
    const ex = createExecutor('s', config({ rate: 200, timeUnit: '1s', duration: '10s', preAllocatedVUs: 20 }), rt.segment);
    expect(ex.preAllocatedVus()).toBe(20);
    expect(ex.maxVus()).toBe(20);
    expect(ex.maxDuration()).toBe(40_000);
    const t0 = rt.now();
    await runOnVirtualClock(ex.run(rt));
    // On the virtual clock nothing stalls: every one of the 2000 starts, none is dropped.
    expect(rt.calls).toHaveLength(2000);
    expect(rt.sum('dropped_iterations')).toBe(0);
    // No drift: iteration i starts at i × 5 ms (a timer rounds up to the next whole ms at most).
    const lateness = rt.calls.map((c) => c.start - t0 - c.iterationInTest * 5);
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...lateness)).toBeLessThanOrEqual(1);
    const last = Math.max(...rt.calls.map((c) => c.start - t0));
    expect(last).toBeGreaterThanOrEqual(9995);
    expect(last).toBeLessThan(10_000);
    expect(ex.progress()).toMatchObject({ fraction: 1, text: '00/20 VUs  10.0s/10s  200.00 iters/s' });
  });

  it('grows to maxVUs, then drops iterations when no VU is free', async () => {
    const rt = new FakeRuntime({ pool: 1, iterationMs: 500 });
    const c = { ...config({ rate: 50, duration: '1s', preAllocatedVUs: 1, maxVUs: 5 }), gracefulStop: 1000 } as ScenarioConfig;
    const ex = createExecutor('s', c, rt.segment);
    await runOnVirtualClock(ex.run(rt));
    expect(rt.getVuCalls).toBe(5);
    expect(rt.sum('dropped_iterations')).toBeGreaterThan(0);
    expect(rt.samples.every((s) => s.metric !== 'dropped_iterations' || s.value === 1)).toBe(true);
    // Every scheduled iteration either ran or was dropped: 50 in 1 s.
    expect(rt.calls.length + rt.sum('dropped_iterations')).toBe(50);
    expect(rt.maxConcurrent).toBe(5);
    expect(rt.completed()).toBe(rt.calls.length);
  });

  it('a slow iteration does not delay the next ones', async () => {
    const rt = new FakeRuntime({ pool: 5, iterationMs: (vu) => (vu === 1 ? 400 : 5) });
    const t0 = rt.now();
    await runOnVirtualClock(createExecutor('s', config({ rate: 20, duration: '1s', preAllocatedVUs: 5 }), rt.segment).run(rt));
    expect(rt.calls).toHaveLength(20);
    // A queue behind the 400 ms iteration would make some start ≥ 350 ms late.
    for (const call of rt.calls) expect(call.start - t0 - call.iterationInTest * 50).toBeLessThanOrEqual(1);
  });

  it('interrupts iterations still running gracefulStop after the end', async () => {
    const rt = new FakeRuntime({ pool: 2, iterationMs: 5000 });
    const c = { ...config({ rate: 2, duration: '1s', preAllocatedVUs: 2 }), gracefulStop: 200 } as ScenarioConfig;
    await runOnVirtualClock(createExecutor('s', c, rt.segment).run(rt));
    expect(rt.calls).toHaveLength(2);
    expect(rt.calls.every((x) => x.outcome === 'interrupted')).toBe(true);
    for (const i of rt.interrupts) {
      expect(i.at).toBeGreaterThanOrEqual(1200);
      expect(i.at).toBeLessThanOrEqual(1201);
    }
  });

  it('two half-segments start each test-wide iteration exactly once', async () => {
    const segs = workerSegments(2).map((w) => parseSegment(w.segment, w.sequence));
    const c = config({ rate: 100, duration: '1s', preAllocatedVUs: 15, maxVUs: 30 });
    const exs = segs.map((s) => createExecutor('s', c, s));
    expect(exs.map((e) => [e.preAllocatedVus(), e.maxVus()])).toEqual([
      [8, 15],
      [7, 15],
    ]);
    const rts = segs.map((s, k) => new FakeRuntime({ segment: s, iterationMs: 5, firstId: 100 * k }));
    await runOnVirtualClock(Promise.all(exs.map((e, k) => e.run(rts[k]))));
    const numbers = rts.flatMap((r) => r.calls.map((x) => x.iterationInTest)).sort((a, b) => a - b);
    expect(numbers).toEqual([...Array(100).keys()]);
    expect(rts.map((r) => r.calls.length)).toEqual([50, 50]);
  });

  it('on abort starts nothing new and interrupts running iterations after gracefulStop', async () => {
    const rt = new FakeRuntime({ pool: 20, iterationMs: 2000 });
    const c = { ...config({ rate: 20, duration: '5s', preAllocatedVUs: 20 }), gracefulStop: 100 } as ScenarioConfig;
    setTimeout(() => rt.controller.abort(), 220);
    await runOnVirtualClock(createExecutor('s', c, rt.segment).run(rt));
    // Iterations at 0, 50, 100, 150, 200 ms; nothing after the abort at 220 ms.
    expect(rt.calls).toHaveLength(5);
    expect(rt.calls.every((x) => x.outcome === 'interrupted')).toBe(true);
    expect(rt.now()).toBeLessThan(900);
    expect(rt.handedOut.size).toBe(0);
  });

  it('waits for startTime on the runtime clock', async () => {
    const rt = new FakeRuntime({ pool: 1, iterationMs: 1 });
    const c = { ...config({ rate: 10, duration: '1s', preAllocatedVUs: 1 }), startTime: 300 } as ScenarioConfig;
    const ex = createExecutor('s', c, rt.segment);
    expect(ex.startTime).toBe(300);
    await runOnVirtualClock(ex.run(rt));
    expect(rt.calls).toHaveLength(10);
    expect(Math.min(...rt.calls.map((x) => x.start))).toBeGreaterThanOrEqual(299);
  });

  it('a segment without VUs owns no iterations: 4 segments, maxVUs 2, none dropped', async () => {
    const segs = workerSegments(4).map((w) => parseSegment(w.segment, w.sequence));
    const c = config({ rate: 40, duration: '1s', preAllocatedVUs: 2 });
    const exs = segs.map((s) => createExecutor('s', c, s));
    expect(exs.map((e) => e.maxVus())).toEqual([1, 1, 0, 0]);
    const rts = segs.map((s, k) => new FakeRuntime({ segment: s, iterationMs: 1, firstId: 100 * k }));
    await runOnVirtualClock(Promise.all(exs.map((e, k) => e.run(rts[k]))));
    // Each iteration is owned (started, or dropped if a stalled box left its one VU busy) once.
    expect(rts.map((r) => r.calls.length)).toEqual([20, 20, 0, 0]);
    expect(rts.reduce((a, r) => a + r.sum('dropped_iterations'), 0)).toBe(0);
    const numbers = rts.flatMap((r) => r.calls.map((x) => x.iterationInTest));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers.every((n) => n >= 0 && n < 40)).toBe(true);
  });

  it('on the real clock: every scheduled iteration is started or dropped once, none early', async () => {
    vi.useRealTimers();
    const rt = new FakeRuntime({ pool: 5, iterationMs: 5 });
    const t0 = rt.now();
    await createExecutor('s', config({ rate: 20, duration: '1s', preAllocatedVUs: 5 }), rt.segment).run(rt);
    // A stalled event loop (a loaded machine) may drop some; none is lost or started twice.
    expect(rt.calls.length + rt.sum('dropped_iterations')).toBe(20);
    expect(new Set(rt.calls.map((c) => c.iterationInTest)).size).toBe(rt.calls.length);
    for (const call of rt.calls) expect(call.start - t0 - call.iterationInTest * 50).toBeGreaterThan(-1);
  });
});
