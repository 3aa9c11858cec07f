// A scenario taken over from a terminated worker thread (engine/runner/worker-host.ts) continues on
// its schedule: time-based executors end when they would have, iteration-count executors skip
// what the lost thread started, arrival-rate iterations due while it was stuck count as dropped.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createExecutor, normalizeScenarios } from '../../../engine/executors/index.ts';
import type { ScenarioConfig } from '../../../engine/executors/index.ts';
import { FakeRuntime, runOnVirtualClock, useVirtualClock } from './fake-runtime.ts';

const config = (over: Record<string, unknown>): ScenarioConfig => normalizeScenarios({ scenarios: { s: over } }).s as ScenarioConfig;

describe('executors resumed on a new worker thread', () => {
  beforeEach(useVirtualClock);
  afterEach(() => vi.useRealTimers());

  it('constant-vus ends at its scheduled end, not a full duration after the take-over', async () => {
    // 1.5 s scenario taken over at 1.2 s: 0.3 s left
    const rt = new FakeRuntime({ pool: 1, iterationMs: 20, startAtMs: 1200, resume: { lostAtMs: 1000, done: 3 } });
    const ex = createExecutor('s', config({ executor: 'constant-vus', vus: 1, duration: '1500ms' }), rt.segment);
    await runOnVirtualClock(ex.run(rt));
    expect(rt.now()).toBeLessThan(1500 + 400);
    expect(rt.calls.length).toBeGreaterThan(0);
    expect(Math.max(...rt.calls.map((c) => c.start))).toBeLessThan(1500);
    expect(ex.progress().fraction).toBe(1);
  });

  it('a scenario due to start while the lost thread was stuck keeps its schedule too; a later one starts at its startTime', async () => {
    const due = new FakeRuntime({ pool: 1, iterationMs: 5, startAtMs: 1200, resume: { lostAtMs: 1000, done: 0 } });
    const late = new FakeRuntime({ pool: 1, iterationMs: 5, startAtMs: 1200, resume: { lostAtMs: 1000, done: 0 } });
    const a = createExecutor('s', config({ executor: 'constant-vus', vus: 1, duration: '1s', startTime: '1100ms' }), due.segment);
    const b = createExecutor('s', config({ executor: 'constant-vus', vus: 1, duration: '1s', startTime: '1400ms' }), late.segment);
    await runOnVirtualClock(Promise.all([a.run(due), b.run(late)]));
    expect(due.now()).toBeGreaterThanOrEqual(2100 - 5);
    expect(due.now()).toBeLessThan(2100 + 400);
    expect(Math.min(...late.calls.map((c) => c.start))).toBeGreaterThanOrEqual(1400 - 2);
    expect(late.now()).toBeGreaterThanOrEqual(2400 - 5);
  });

  it('shared-iterations runs only the iterations the lost thread had not started, numbered after them', async () => {
    const rt = new FakeRuntime({ pool: 2, iterationMs: 2, startAtMs: 500, resume: { lostAtMs: 400, done: 7 } });
    const ex = createExecutor('s', config({ executor: 'shared-iterations', vus: 2, iterations: 20 }), rt.segment);
    await runOnVirtualClock(ex.run(rt));
    expect(rt.calls).toHaveLength(13);
    expect(rt.calls.map((c) => c.iterationInTest).sort((a, b) => a - b)).toEqual([...Array(13).keys()].map((i) => i + 7));
    expect(rt.sum('dropped_iterations')).toBe(0);
  });

  it('per-vu-iterations: each VU runs what is left of its iterations', async () => {
    const rt = new FakeRuntime({ pool: 2, iterationMs: 2, startAtMs: 500, resume: { lostAtMs: 400, done: 4 } });
    const ex = createExecutor('s', config({ executor: 'per-vu-iterations', vus: 2, iterations: 5 }), rt.segment);
    await runOnVirtualClock(ex.run(rt));
    // 2 each before: 3 each left
    expect(rt.calls).toHaveLength(6);
    expect(rt.sum('dropped_iterations')).toBe(0);
  });

  it('constant-arrival-rate: iterations due while the thread was stuck are dropped, the rest run on time', async () => {
    // 20/s over 2 s (one every 50 ms); last heard at 0.5 s, taken over at 1.525 s: those due at 0.5..1.5 s
    // are dropped (21), those before were the lost thread's (10), those from 1.55 s run (9)
    const rt = new FakeRuntime({ pool: 2, iterationMs: 5, startAtMs: 1525, resume: { lostAtMs: 500, done: 10 } });
    const ex = createExecutor('s', config({ executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '2s', preAllocatedVUs: 2 }), rt.segment);
    await runOnVirtualClock(ex.run(rt));
    expect(rt.sum('dropped_iterations')).toBe(21);
    expect(rt.calls.map((c) => c.iterationInTest).sort((a, b) => a - b)).toEqual([31, 32, 33, 34, 35, 36, 37, 38, 39]);
  });
});
