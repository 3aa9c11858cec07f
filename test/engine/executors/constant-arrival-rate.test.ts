import { describe, expect, it } from 'vitest';
import { createExecutor, normalizeScenarios } from '../../../engine/executors/index.ts';
import type { ScenarioConfig } from '../../../engine/executors/index.ts';
import { parseSegment, workerSegments } from '../../../engine/execution/segment.ts';
import { FakeRuntime } from './fake-runtime.ts';

function config(over: Record<string, unknown>): ScenarioConfig {
  return normalizeScenarios({ scenarios: { s: { executor: 'constant-arrival-rate', ...over } } }).s;
}

describe('constant-arrival-rate', () => {
  it('200 iterations/s for 10 s starts 2000 ± 1 %, each at its scheduled time', async () => {
    const rt = new FakeRuntime({ pool: 20, iterationMs: 5 });
    const ex = createExecutor('s', config({ rate: 200, timeUnit: '1s', duration: '10s', preAllocatedVUs: 20 }), rt.segment);
    expect(ex.preAllocatedVus()).toBe(20);
    expect(ex.maxVus()).toBe(20);
    expect(ex.maxDuration()).toBe(40_000);
    const t0 = rt.now();
    await ex.run(rt);
    expect(rt.calls.length).toBeGreaterThanOrEqual(1980);
    expect(rt.calls.length).toBeLessThanOrEqual(2020);
    // 20 VUs for 1 busy at a time: only a stall of the whole process (a loaded box) drops any.
    expect(rt.sum('dropped_iterations')).toBeLessThanOrEqual(20);
    // Exactly the planned 2000 were started or dropped: none is lost at the end.
    expect(rt.calls.length + rt.sum('dropped_iterations')).toBe(2000);
    // No drift: iteration i starts at i × 5 ms (late by a timer's jitter at most, never cumulatively).
    const lateness = rt.calls.map((c) => c.start - t0 - c.iterationInTest * 5).sort((a, b) => a - b);
    expect(lateness[0]).toBeGreaterThan(-1);
    expect(lateness[Math.floor(lateness.length / 2)]).toBeLessThan(25);
    const last = Math.max(...rt.calls.map((c) => c.start - t0));
    expect(last).toBeGreaterThan(9900);
    expect(last).toBeLessThan(10_300);
    expect(ex.progress()).toMatchObject({ fraction: 1, text: '00/20 VUs  10.0s/10s  200.00 iters/s' });
  });

  it('grows to maxVUs, then drops iterations when no VU is free', async () => {
    const rt = new FakeRuntime({ pool: 1, iterationMs: 500 });
    const c = { ...config({ rate: 50, duration: '1s', preAllocatedVUs: 1, maxVUs: 5 }), gracefulStop: 1000 } as ScenarioConfig;
    const ex = createExecutor('s', c, rt.segment);
    await ex.run(rt);
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
    await createExecutor('s', config({ rate: 20, duration: '1s', preAllocatedVUs: 5 }), rt.segment).run(rt);
    expect(rt.calls).toHaveLength(20);
    // A queue behind the 400 ms iteration would make some start ≥ 350 ms late.
    for (const call of rt.calls) expect(call.start - t0 - call.iterationInTest * 50).toBeLessThan(150);
  });

  it('interrupts iterations still running gracefulStop after the end', async () => {
    const rt = new FakeRuntime({ pool: 2, iterationMs: 5000 });
    const c = { ...config({ rate: 2, duration: '1s', preAllocatedVUs: 2 }), gracefulStop: 200 } as ScenarioConfig;
    await createExecutor('s', c, rt.segment).run(rt);
    expect(rt.calls).toHaveLength(2);
    expect(rt.calls.every((x) => x.outcome === 'interrupted')).toBe(true);
    for (const i of rt.interrupts) {
      expect(i.at).toBeGreaterThanOrEqual(1195);
      expect(i.at).toBeLessThan(1700);
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
    await Promise.all(exs.map((e, k) => e.run(rts[k])));
    const numbers = rts.flatMap((r) => r.calls.map((x) => x.iterationInTest)).sort((a, b) => a - b);
    expect(numbers).toEqual([...Array(100).keys()]);
    expect(rts.map((r) => r.calls.length)).toEqual([50, 50]);
  });

  it('on abort starts nothing new and interrupts running iterations after gracefulStop', async () => {
    const rt = new FakeRuntime({ pool: 20, iterationMs: 2000 });
    const c = { ...config({ rate: 20, duration: '5s', preAllocatedVUs: 20 }), gracefulStop: 100 } as ScenarioConfig;
    setTimeout(() => rt.controller.abort(), 220);
    await createExecutor('s', c, rt.segment).run(rt);
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
    await ex.run(rt);
    expect(rt.calls).toHaveLength(10);
    expect(Math.min(...rt.calls.map((x) => x.start))).toBeGreaterThanOrEqual(299);
  });

  it('a segment without VUs owns no iterations: 4 segments, maxVUs 2, none dropped', async () => {
    const segs = workerSegments(4).map((w) => parseSegment(w.segment, w.sequence));
    const c = config({ rate: 40, duration: '1s', preAllocatedVUs: 2 });
    const exs = segs.map((s) => createExecutor('s', c, s));
    expect(exs.map((e) => e.maxVus())).toEqual([1, 1, 0, 0]);
    const rts = segs.map((s, k) => new FakeRuntime({ segment: s, iterationMs: 1, firstId: 100 * k }));
    await Promise.all(exs.map((e, k) => e.run(rts[k])));
    // Each iteration is owned (started, or dropped if a stalled box left its one VU busy) once.
    expect(rts.map((r) => r.calls.length + r.sum('dropped_iterations'))).toEqual([20, 20, 0, 0]);
    expect(rts.reduce((a, r) => a + r.sum('dropped_iterations'), 0)).toBeLessThanOrEqual(2);
    const numbers = rts.flatMap((r) => r.calls.map((x) => x.iterationInTest));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers.every((n) => n >= 0 && n < 40)).toBe(true);
  });
});
