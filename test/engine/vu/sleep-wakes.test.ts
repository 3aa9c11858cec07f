/**
 * Sleeps that end together wake in slices of about a millisecond with an event-loop turn between
 * slices (engine/vu/sleep-wakes.ts), in the order they were due, and all of them end.
 */
import { describe, expect, it } from 'vitest';
import { waitingBuckets } from '../../../engine/vu/sleep-wakes.ts';
import { WorkTracker } from '../../../engine/vu/work-tracker.ts';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('sleep wakes', () => {
  it('300 sleeps due at once wake in order, in slices with the event loop turning between them', async () => {
    const log: string[] = [];
    let done = false;
    const turn = () => {
      log.push('|');
      if (!done) setImmediate(turn);
    };
    const woke: number[] = [];
    const sleeps = Array.from({ length: 300 }, (_, i) =>
      new WorkTracker().sleep(20).then(() => {
        busy(0.05); // the woken VU's work up to its next wait
        woke.push(i);
        log.push('w');
      }),
    );
    setImmediate(turn);
    await Promise.all(sleeps);
    done = true;
    expect(woke).toEqual(Array.from({ length: 300 }, (_, i) => i));
    // 300 × 50 µs = 15 ms of waking. A queued slice lasts 1 ms on an idle thread and at most 5 ms
    // when the rest of the turn took longer (a loaded host that deschedules the thread): at most
    // 5 ms / 50 µs = 100 wakes and the one that crosses the line, after at most 21 woken straight
    // from their timers in the same turn. Before, all 300 in one turn.
    const runs = log.join('').split('|').map((r) => r.length);
    expect(Math.max(...runs), log.join('')).toBeLessThanOrEqual(122);
    expect(runs.filter((r) => r > 0).length).toBeGreaterThanOrEqual(3);
  });

  it('a sleep rejected while queued to wake stays rejected and does not end the next one', async () => {
    const trackers = Array.from({ length: 100 }, () => new WorkTracker());
    const outcomes: string[] = [];
    const sleeps = trackers.map((t, i) =>
      t.sleep(10).then(
        () => {
          busy(0.1);
          outcomes[i] = 'woke';
        },
        () => {
          outcomes[i] = 'rejected';
        },
      ),
    );
    const last = trackers[99] as WorkTracker;
    let next: Promise<void> | undefined;
    // due right after the 100 sleeps, in the same timer turn: all but the first slice are queued
    setTimeout(() => {
      for (const t of trackers.slice(50)) t.rejectSleeps(new Error('interrupted'));
      next = last.sleep(60_000);
      next.catch(() => undefined);
    }, 10);
    await Promise.all(sleeps);
    await new Promise((r) => setTimeout(r, 50)); // the queue drains the rejected sleeps' wakes too
    expect(outcomes.slice(0, 5)).toEqual(['woke', 'woke', 'woke', 'woke', 'woke']);
    expect(outcomes.slice(50)).toEqual(Array(50).fill('rejected'));
    // the rejected sleep's queued wake came and went: the tracker still counts its new sleep
    expect(last.pendingCount).toBe(1);
    last.rejectSleeps(new Error('done'));
    expect(last.pendingCount).toBe(0);
    for (const t of trackers) expect(t.pendingCount).toBe(0);
  });
});

describe('sleep timers', () => {
  const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

  it('sleeps due in the same millisecond share one timer, and none ends early', async () => {
    const before = timeouts();
    const t0 = performance.now();
    const ended: number[] = [];
    const sleeps = Array.from({ length: 200 }, () => new WorkTracker().sleep(30).then(() => ended.push(performance.now() - t0)));
    const span = performance.now() - t0;
    // one timer per millisecond the 200 sleeps were asked in: one or two on a quiet host (a fraction
    // of a millisecond), a few when the host is busy; with a timer per sleep, 200
    expect(timeouts() - before).toBeLessThanOrEqual(Math.ceil(span) + 1);
    expect(timeouts() - before).toBeLessThan(50);
    await Promise.all(sleeps);
    expect(ended).toHaveLength(200);
    // Node's own timers may end up to a millisecond early (its clock counts whole milliseconds); so may these, no more
    expect(Math.min(...ended)).toBeGreaterThanOrEqual(29);
    // every bucket fired and let go of its timer (the process's own count can move meanwhile: the
    // test runner keeps timers of its own, which come and go)
    expect(waitingBuckets()).toBe(0);
  });

  it('rejecting every sleep of a bucket clears its timer', async () => {
    const before = timeouts();
    const trackers = Array.from({ length: 20 }, () => new WorkTracker());
    const outcomes = trackers.map((t) => t.sleep(60_000).then(() => 'woke', () => 'rejected'));
    expect(timeouts()).toBeGreaterThan(before);
    for (const t of trackers) t.rejectSleeps(new Error('interrupted'));
    expect(timeouts()).toBe(before);
    expect(await Promise.all(outcomes)).toEqual(Array(20).fill('rejected'));
    for (const t of trackers) expect(t.pendingCount).toBe(0);
  });

  it('a sleep rejected by a VU woken from the same bucket stays rejected; the rest of the bucket wakes', async () => {
    const [a, b, c] = [new WorkTracker(), new WorkTracker(), new WorkTracker()];
    const outcomes: string[] = [];
    const sleeps = [
      a.sleep(20).then(() => {
        outcomes.push('a woke');
        b.rejectSleeps(new Error('interrupted'));
      }),
      b.sleep(20).then(() => outcomes.push('b woke'), () => outcomes.push('b rejected')),
      c.sleep(20).then(() => outcomes.push('c woke')),
    ];
    await Promise.all(sleeps);
    expect(outcomes).toEqual(['a woke', 'b rejected', 'c woke']);
    expect([a, b, c].map((t) => t.pendingCount)).toEqual([0, 0, 0]);
  });
});
