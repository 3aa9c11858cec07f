import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createExecutor, normalizeScenarios } from '../../../engine/executors/index.ts';
import type { ScenarioConfig } from '../../../engine/executors/index.ts';
import type { Executor } from '../../../engine/types.ts';
import { parseSegment, workerSegments } from '../../../engine/execution/segment.ts';
import { FakeRuntime, runOnVirtualClock, useVirtualClock } from './fake-runtime.ts';

function config(over: Record<string, unknown>): ScenarioConfig {
  return normalizeScenarios({ scenarios: { s: { executor: 'constant-vus', ...over } } }).s;
}

/**
 * Runs `ex` on the real clock until `vus` VUs have each started an iteration (or `giveUpMs` has
 * passed), then stops it. Resolves with the VUs in the order of their first start; `onAllStarted`
 * runs the moment the last one is seen.
 */
async function runUntilAllStarted(ex: Executor, rt: FakeRuntime, vus: number, giveUpMs: number, onAllStarted?: () => void): Promise<string[]> {
  const started = new Set<string>();
  let seen = 0;
  const stop = setInterval(() => {
    for (; seen < rt.startLog.length; seen++) {
      const entry = rt.startLog[seen] as string;
      if (entry.startsWith('VU ')) started.add(entry);
    }
    if (started.size === vus) {
      onAllStarted?.();
      rt.controller.abort();
    }
  }, 5);
  const giveUp = setTimeout(() => rt.controller.abort(), giveUpMs);
  await ex.run(rt);
  clearInterval(stop);
  clearTimeout(giveUp);
  return [...started];
}

describe('constant-vus', () => {
  beforeEach(useVirtualClock);
  afterEach(() => vi.useRealTimers());

  it('ends on the runtime clock even when timers fire before it reaches the deadline', async () => {
    // Node's timers can fire ~1 ms before performance.now() says the delay has passed; a clock at
    // 0.7x real time makes that early firing certain (every timer fires 30 % early by rt.now()).
    const rt = new FakeRuntime({ pool: 2, iterationMs: 20, clockRate: 0.7 });
    const ex = createExecutor('s', config({ vus: 2, duration: '1s' }), rt.segment);
    const t0 = rt.now();
    await runOnVirtualClock(ex.run(rt));
    expect(rt.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(ex.progress().text).toBe('2 VUs  01.0s/1s');
    expect(rt.handedOut.size).toBe(0);
  });

  it('keeps exactly `vus` VUs looping for the duration', async () => {
    const rt = new FakeRuntime({ pool: 5, iterationMs: 20 });
    const ex = createExecutor('s', config({ vus: 5, duration: '1s' }), rt.segment);
    expect(ex.maxDuration()).toBe(31_000);
    const t0 = rt.now();
    await runOnVirtualClock(ex.run(rt));
    const took = rt.now() - t0;
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(1600);
    expect(rt.maxConcurrent).toBe(5);
    expect(new Set(rt.calls.map((c) => c.vu)).size).toBe(5);
    // 5 VUs × ~50 iterations of 20 ms; timers on a busy 2-core box run late, never early.
    expect(rt.completed()).toBeGreaterThan(150);
    expect(rt.completed()).toBeLessThanOrEqual(255);
    expect(rt.calls.every((c) => c.start < 1000 + t0 + 5)).toBe(true);
    expect(new Set(rt.calls.map((c) => c.iterationInTest)).size).toBe(rt.calls.length);
    expect(ex.progress().text).toBe('5 VUs  01.0s/1s');
    expect(rt.handedOut.size).toBe(0);
  });

  it('starting many VUs lets the event loop turn, so the first ones are served while the rest start', async () => {
    vi.useRealTimers(); // real clock: the point is the thread's own time
    // 60 VUs whose every iteration works 1 ms before its first wait: 60 ms of starting, cut into
    // slices. In one piece, a callback queued before the start ran after all 60 had started.
    // (Iterations of 1 ms every 25 ms: a thread the running VUs keep nearly busy, where the start
    // gets one VU a turn; every 6 ms, beside four CPU-bound processes, the start took over 5 s.
    // 1.5–2 s beside two; once, in a CI run of the whole suite, over 10 s: the scenario and the
    // give-up time leave 40 s.)
    const rt = new FakeRuntime({ pool: 60, iterationMs: 24, startBusyMs: 1 });
    const ex = createExecutor('s', config({ vus: 60, duration: '45s' }), rt.segment);
    setImmediate(() => rt.startLog.push('event loop'));
    // ends once every VU has started (the running ones keep the thread busy meanwhile)
    const started = await runUntilAllStarted(ex, rt, 60, 40_000);
    const turn = rt.startLog.indexOf('event loop');
    expect(turn).toBeGreaterThan(0);
    expect(turn, rt.startLog.slice(0, 70).join(', ')).toBeLessThan(5);
    // every VU started (within the 40 s given), in order, though the first ones kept the thread busy
    expect(started).toEqual(Array.from({ length: 60 }, (_, i) => `VU ${i + 1}`));
  });

  it('VUs whose iterations never wait all start, and a timer still runs on time', async () => {
    vi.useRealTimers();
    // 300 VUs iterating in microtasks (50 µs of work each). When the VUs yielded one at a time,
    // the others kept the microtask queue full: no timer ran and no VU started for ~3 s.
    const rt = new FakeRuntime({ pool: 300, microtaskIterations: true, startBusyMs: 0.05 });
    const ex = createExecutor('s', config({ vus: 300, duration: '10s' }), rt.segment);
    // Measured in this process's CPU time, which the host's load does not stretch (a loaded CI
    // host took 2.1 s of wall time for what a quiet one does in ~0.3 s): the stall was CPU spent
    // in microtasks with no turn of the event loop, so the longest stretch of CPU between two
    // turns is the measure, and the timer must run before the last VU starts.
    const cpuMs = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    let last = cpuMs();
    let longestTurnCpuMs = 0;
    let allStarted = false;
    let timerBeforeAll = false;
    const countTurn = () => {
      const now = cpuMs();
      longestTurnCpuMs = Math.max(longestTurnCpuMs, now - last);
      last = now;
      if (!allStarted) setImmediate(countTurn);
    };
    setImmediate(countTurn);
    setTimeout(() => {
      timerBeforeAll = !allStarted;
    }, 20);
    const started = await runUntilAllStarted(ex, rt, 300, 10_000, () => (allStarted = true));
    expect(started).toHaveLength(300);
    expect(timerBeforeAll).toBe(true);
    expect(longestTurnCpuMs).toBeLessThan(250);
  });

  it('VUs that never wait start in longer slices once they keep the thread busy', async () => {
    vi.useRealTimers();
    // 600 VUs iterating in microtasks (50 µs each): every turn of the event loop, the running ones
    // iterate for 10 ms before they yield. Started in 0.25 ms slices, at most 5 VUs start a turn
    // (120 turns, ~2.5 s); once a turn shows they kept the thread busy, the slices are 1 ms (up to
    // 20 a turn). Counted in turns, which the host's load does not change: the slices and the
    // VUs' work are both measured on the wall clock.
    const rt = new FakeRuntime({ pool: 600, microtaskIterations: true, startBusyMs: 0.05 });
    const ex = createExecutor('s', config({ vus: 600, duration: '20s' }), rt.segment);
    let turns = 0;
    let turnsToStart = 0;
    const countTurn = () => {
      turns++;
      if (turnsToStart === 0) setImmediate(countTurn);
    };
    setImmediate(countTurn);
    const started = await runUntilAllStarted(ex, rt, 600, 10_000, () => (turnsToStart = turns));
    expect(started).toHaveLength(600);
    expect(turnsToStart).toBeLessThan(80);
  });

  it('gives running iterations gracefulStop, then interrupts them', async () => {
    const rt = new FakeRuntime({ pool: 3, iterationMs: 10_000 });
    const c = { ...config({ vus: 3, duration: '1s' }), duration: 200, gracefulStop: 150 } as ScenarioConfig;
    const ex = createExecutor('s', c, rt.segment);
    await runOnVirtualClock(ex.run(rt));
    expect(rt.calls).toHaveLength(3);
    expect(rt.calls.every((x) => x.outcome === 'interrupted')).toBe(true);
    for (const i of rt.interrupts) {
      expect(i.at).toBeGreaterThanOrEqual(345);
      expect(i.at).toBeLessThan(700);
    }
    expect(ex.progress()).toMatchObject({ completed: 0, interrupted: 3 });
  });

  it('an iteration that ends within gracefulStop completes', async () => {
    const rt = new FakeRuntime({ pool: 1, iterationMs: 150 });
    const c = { ...config({ vus: 1, duration: '1s' }), duration: 200, gracefulStop: 300 } as ScenarioConfig;
    await runOnVirtualClock(createExecutor('s', c, rt.segment).run(rt));
    // 0-150, 150-300 (started before the end at 200, finishes inside the grace period).
    expect(rt.calls.map((x) => x.outcome)).toEqual(['completed', 'completed']);
    expect(rt.interrupts).toHaveLength(0);
  });

  it('on abort starts nothing new and interrupts after gracefulStop', async () => {
    const rt = new FakeRuntime({ pool: 2, iterationMs: 5_000 });
    const c = { ...config({ vus: 2, duration: '10s' }), gracefulStop: 100 } as ScenarioConfig;
    const ex = createExecutor('s', c, rt.segment);
    setTimeout(() => rt.controller.abort(), 100);
    await runOnVirtualClock(ex.run(rt));
    expect(rt.calls).toHaveLength(2);
    expect(rt.calls.every((x) => x.outcome === 'interrupted')).toBe(true);
    expect(rt.now()).toBeLessThan(900);
  });

  it('does not starve timers when iterations settle at once', async () => {
    vi.useRealTimers(); // what the real event loop does is the point
    const rt = new FakeRuntime({ pool: 2, iterationMs: 0 });
    const c = { ...config({ vus: 2, duration: '1s' }), duration: 300 } as ScenarioConfig;
    let ticks = 0;
    const tick = setInterval(() => ticks++, 20);
    await createExecutor('s', c, rt.segment).run(rt);
    clearInterval(tick);
    expect(ticks).toBeGreaterThanOrEqual(5);
    expect(rt.calls.length).toBeGreaterThan(20);
  });

  it('splits VUs across two half-segments', async () => {
    const segs = workerSegments(2).map((w) => parseSegment(w.segment, w.sequence));
    const c = { ...config({ vus: 5, duration: '1s' }), duration: 200 } as ScenarioConfig;
    const exs = segs.map((s) => createExecutor('s', c, s));
    expect(exs.map((e) => e.preAllocatedVus())).toEqual([3, 2]);
    const rts = segs.map((s, k) => new FakeRuntime({ segment: s, iterationMs: 10, firstId: 100 * k }));
    await runOnVirtualClock(Promise.all(exs.map((e, k) => e.run(rts[k]))));
    expect(rts.map((r) => r.maxConcurrent)).toEqual([3, 2]);
    const numbers = rts.flatMap((r) => r.calls.map((x) => x.iterationInTest));
    expect(new Set(numbers).size).toBe(numbers.length);
  });
});
