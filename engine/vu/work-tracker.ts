/**
 * A VU's pending asynchronous work (DESIGN D3, k6's event-loop rule): timers set by the script and
 * work modules register with `track` (asyncRequest, …). An iteration ends only once all of it has
 * settled, so work scheduled with `setTimeout` is not lost. Interrupting an iteration clears the
 * VU's timers. An exception thrown by a timer callback fails the iteration, as in k6.
 *
 * Timer ids are numbers (k6 returns numbers); the Node handles stay inside the tracker.
 *
 * `sleep` is tracked work of its own (k6's sleep blocks the VU): one timer and the promise's
 * settle functions, rejected directly by `rejectSleeps` when the iteration is interrupted. An
 * AbortSignal listener and a `track()` of a generic promise cost three closures, a listener and a
 * promise reaction more, all held for the whole sleep by every sleeping VU (issue 21). It waits in
 * ./sleep-wakes.ts, which shares one timer among the sleeps due in the same millisecond and spreads
 * the wakes of many VUs over the event loop.
 */
import { type Linked, LinkedSet } from '../linked-set.ts';
import { type Sleep, cancel, schedule } from './sleep-wakes.ts';

type TimerCallback = (...args: unknown[]) => unknown;

/** A value the VU must wait for: a promise, or anything with a `then` method (an async script function's result, a timer callback's). */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * A pending sleep: the promise's settle functions, its links in the tracker and in its timer's
 * bucket. A tracker reuses the one its last sleep ended with: a new one per sleep (~110 B) was
 * held for the whole sleep and promoted (issue 21). One still in the wake queue is not reused: its
 * queued wake must find it ended, not as a new sleep.
 */
class PendingSleep implements Sleep, Linked<PendingSleep> {
  bucket: Sleep['bucket'] = null;
  due = 0;
  before: Sleep | null = null;
  after: Sleep | null = null;
  queued = false;
  prev: PendingSleep | null = null;
  next: PendingSleep | null = null;
  linked = false;
  resolve: (() => void) | null = null;
  reject: ((err: unknown) => void) | null = null;
  constructor(private readonly tracker: WorkTracker) {}

  end(): void {
    const resolve = this.resolve;
    if (resolve !== null && this.tracker.endSleep(this)) resolve();
  }
}

export class WorkTracker {
  private pending = 0;
  private idle: (() => void) | null = null;
  private timers: Map<number, { handle: NodeJS.Timeout; interval: boolean }> | null = null;
  private nextId = 1;
  /** The first exception thrown by a timer callback since the last `takeError`. */
  private error: unknown = undefined;
  private hasError = false;
  /** Pending sleeps: one at a time unless the script runs async functions side by side. */
  private readonly sleeps = new LinkedSet<PendingSleep>();
  /** The sleep the next `sleep` reuses. */
  private spare: PendingSleep | null = null;

  get pendingCount(): number {
    return this.pending;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.pending++;
    const done = () => this.done();
    work.then(done, done);
    return work;
  }

  /** A promise that resolves after `ms` (> 0); tracked until it settles. */
  sleep(ms: number): Promise<void> {
    this.pending++;
    const sleep = this.spare ?? new PendingSleep(this);
    this.spare = null;
    return new Promise<void>((resolve, reject) => {
      sleep.resolve = resolve;
      sleep.reject = reject;
      schedule(sleep, ms);
      this.sleeps.add(sleep);
    });
  }

  /** Rejects every pending sleep with `err` (the iteration was interrupted or the VU closes). */
  rejectSleeps(err: unknown): void {
    if (this.sleeps.size === 0) return;
    for (const sleep of this.sleeps.toArray()) {
      cancel(sleep);
      const reject = sleep.reject as (err: unknown) => void;
      this.endSleep(sleep);
      reject(err);
    }
  }

  /** @internal the sleep ends (wakes or is rejected): false when it had ended already. */
  endSleep(sleep: PendingSleep): boolean {
    if (!this.sleeps.delete(sleep)) return false;
    sleep.resolve = sleep.reject = null;
    if (!sleep.queued) this.spare = sleep;
    this.done();
    return true;
  }

  setTimeout(cb: TimerCallback, ms?: number, args: unknown[] = []): number {
    return this.addTimer(cb, ms, args, false);
  }

  setInterval(cb: TimerCallback, ms?: number, args: unknown[] = []): number {
    return this.addTimer(cb, ms, args, true);
  }

  clear(id: unknown): void {
    const t = this.timers?.get(id as number);
    if (!t) return;
    this.timers?.delete(id as number);
    if (t.interval) clearInterval(t.handle);
    else clearTimeout(t.handle);
    this.done();
  }

  /** Clears every timer (the iteration was interrupted or the VU closes). */
  clearAll(): void {
    if (!this.timers) return;
    for (const id of [...this.timers.keys()]) this.clear(id);
  }

  /** Resolves when no work is pending. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const prev = this.idle;
      this.idle = () => {
        prev?.();
        resolve();
      };
    });
  }

  /** Returns (and forgets) the first timer-callback exception, if any. */
  takeError(): { error: unknown } | null {
    if (!this.hasError) return null;
    const e = { error: this.error };
    this.hasError = false;
    this.error = undefined;
    return e;
  }

  private addTimer(cb: TimerCallback, ms: number | undefined, args: unknown[], interval: boolean): number {
    if (typeof cb !== 'function') throw new TypeError(`${interval ? 'setInterval' : 'setTimeout'}: callback is not a function`);
    const id = this.nextId++;
    const delay = Number.isFinite(ms) && (ms as number) > 0 ? (ms as number) : 0;
    this.timers ??= new Map();
    this.pending++;
    const run = () => {
      if (!interval) this.timers?.delete(id);
      let result: unknown;
      try {
        result = cb(...args);
      } catch (err) {
        this.fail(err);
      }
      if (isThenable(result)) {
        this.track(Promise.resolve(result)).catch((err) => this.fail(err));
      }
      if (!interval) this.done();
    };
    const handle = interval ? setInterval(run, delay) : setTimeout(run, delay);
    this.timers.set(id, { handle, interval });
    return id;
  }

  private fail(err: unknown): void {
    if (!this.hasError) {
      this.hasError = true;
      this.error = err;
    }
    // a failed iteration does not wait for the rest of its timers
    this.clearAll();
    this.flushIdle();
  }

  private done(): void {
    this.pending--;
    if (this.pending <= 0) {
      this.pending = 0;
      this.flushIdle();
    }
  }

  private flushIdle(): void {
    const idle = this.idle;
    this.idle = null;
    idle?.();
  }
}
