import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createExecutor, normalizeScenarios } from '../../../engine/executors/index.ts';
import type { ScenarioConfig } from '../../../engine/executors/index.ts';
import { parseSegment, workerSegments } from '../../../engine/execution/segment.ts';
import { FakeRuntime, runOnVirtualClock, useVirtualClock } from './fake-runtime.ts';

function config(over: Record<string, unknown>): ScenarioConfig {
  return normalizeScenarios({ scenarios: { s: { executor: 'per-vu-iterations', ...over } } }).s;
}

describe('per-vu-iterations', () => {
  beforeEach(useVirtualClock);
  afterEach(() => vi.useRealTimers());

  it('runs 3 iterations on each of 10 VUs: 30', async () => {
    const rt = new FakeRuntime({ pool: 10, iterationMs: (vu) => 2 + vu });
    const ex = createExecutor('s', config({ vus: 10, iterations: 3 }), rt.segment);
    await runOnVirtualClock(ex.run(rt));
    expect(rt.completed()).toBe(30);
    const perVu = new Map<number, number>();
    for (const c of rt.calls) perVu.set(c.vu, (perVu.get(c.vu) ?? 0) + 1);
    expect([...perVu.values()]).toEqual(Array(10).fill(3));
    for (const vu of perVu.keys()) expect(rt.calls.filter((c) => c.vu === vu).map((c) => c.iterationInScenario)).toEqual([0, 1, 2]);
    expect(rt.calls.map((c) => c.iterationInTest).sort((a, b) => a - b)).toEqual([...Array(30).keys()]);
    expect(ex.progress()).toMatchObject({ fraction: 1, text: '10 VUs  30/30 iters, 3 per VU' });
    expect(rt.handedOut.size).toBe(0);
  });

  it('defaults to 1 VU and 1 iteration', async () => {
    const rt = new FakeRuntime({ pool: 1 });
    const c = config({});
    expect(c).toMatchObject({ vus: 1, iterations: 1, maxDuration: 600_000, gracefulStop: 30_000, exec: 'default' });
    await runOnVirtualClock(createExecutor('s', c, rt.segment).run(rt));
    expect(rt.calls).toHaveLength(1);
  });

  it('stops at maxDuration and counts unstarted iterations as dropped', async () => {
    const rt = new FakeRuntime({ pool: 2, iterationMs: 300 });
    const c = { ...config({ vus: 2, iterations: 10 }), maxDuration: 400, gracefulStop: 0 } as ScenarioConfig;
    await runOnVirtualClock(createExecutor('s', c, rt.segment).run(rt));
    // Each VU: 0-300 complete, 300-600 interrupted at 400.
    expect(rt.completed()).toBe(2);
    expect(rt.calls).toHaveLength(4);
    expect(rt.sum('dropped_iterations')).toBe(16);
  });

  it('two half-segments run vus × iterations between them', async () => {
    const segs = workerSegments(2).map((w) => parseSegment(w.segment, w.sequence));
    const c = config({ vus: 5, iterations: 4 });
    const rts = segs.map((s, k) => new FakeRuntime({ segment: s, iterationMs: 2, firstId: 100 * k }));
    await runOnVirtualClock(Promise.all(segs.map((s, k) => createExecutor('s', c, s).run(rts[k]))));
    expect(rts.map((r) => r.calls.length)).toEqual([12, 8]);
    const numbers = rts.flatMap((r) => r.calls.map((x) => x.iterationInTest)).sort((a, b) => a - b);
    expect(numbers).toEqual([...Array(20).keys()]);
  });
});
