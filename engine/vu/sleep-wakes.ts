/**
 * When sleeping VUs wake: in short slices, with the event loop reading sockets between slices.
 *
 * Node runs every timer that is due in one turn of the event loop, and each woken VU runs its
 * iteration up to its next wait (a request's write) before the next timer. VUs that went to sleep
 * in one long turn are due in one turn again, so they stay bunched: at 1,000 VUs of `http.get` +
 * `sleep(1)` a worker woke them 50 at a time (the start's slices), at 10,000 in bursts of 100–800
 * lasting up to 160 ms. No socket is read during a burst, so every request in it counted the rest
 * of the burst as its own latency: the 10,000-VU run measured a median of 6.5–11 ms and a p95 of
 * 24–47 ms against a server that answers in microseconds, the 1,000-VU run a p95 of 6–8 ms.
 *
 * So a wake that comes after SLICE_MS of waking in the same turn is queued, and the queue is
 * drained a slice at a time from setImmediate (the event loop's check phase: sockets are polled
 * before it, and it does not make the loop wait, so a thread that only wakes VUs stays busy).
 * Queued wakes keep their order, and while the queue holds any, later timers join its end.
 *
 * How long a slice lasts trades the latency the thread adds to answers against how many VUs it
 * can wake. A slice is SLICE_MS while the wakes keep up, and grows with how late the oldest queued
 * wake is (a quarter of its lateness, up to MAX_SLICE_MS), so a thread that falls behind spends
 * more of its turns waking until it catches up. Measured (bench/engine-scale-script.js, 2 cores,
 * alternated runs; issue 21):
 * - 1 ms slices, grown to as long as the rest of the turn (up to 5 ms), as before: a burst of
 *   answers read in one turn made the next slice as long, and that slice's answers the next turn,
 *   so in the bunches the thread sent for 4–6 ms and read nothing (p95 10.5–15 ms at 10,000 VUs,
 *   4.9–6.3 ms at 1,000; 20,000 VUs made 125–153k iterations in 12 s with a median of 18–23 ms).
 * - 0.25 ms slices that never grow: p95 7.4 ms (10,000) and 3.3 ms (1,000), but a thread that
 *   fell behind never caught up: 20,000 VUs made 64k iterations, and a noisy moment at 10,000
 *   could halve the rate.
 * - 0.25 ms growing with lateness (this): p95 7.5 ms (10,000) and 3.0–3.1 ms (1,000), and 20,000
 *   VUs made 150–166k iterations with a median of 8.5–9.5 ms.
 * The cost: a sleep that ends while the thread is busy ends when its turn comes rather than in a
 * burst, as late as it would be anyway.
 *
 * Sleeps due in the same millisecond share one Node timer (`schedule`): a bucket per due
 * millisecond, its sleeps linked through their own fields. A Timeout per sleep (~120 B, its
 * arguments array and its numbers: ~180 B with the heap numbers) was held by every sleeping VU and
 * promoted by the scavenges during the sleep; at 10,000 VUs of `http.get` + `sleep(1)` a worker's
 * bucket holds about five sleeps, and each 100 B promoted per iteration cost the run about 1 ms of
 * p95 (issue 21). A bucket's sleeps wake one at a time, with a microtask turn between them, as
 * separate timers would: each woken VU runs up to its next wait before `wake` reads the clock.
 */
import { performance } from 'node:perf_hooks';

/** A pending sleep, as the VU's work tracker holds it. */
export interface Sleep {
  /** Ends the sleep (resolves its promise) unless it ended already (rejected by an interrupt). */
  end(): void;
  /** The bucket the sleep waits in (null once woken or cancelled) and its neighbours there: set by `schedule`. */
  bucket: Bucket | null;
  /** The millisecond (performance.now(), rounded up) the sleep is due in: set by `schedule`. */
  due: number;
  before: Sleep | null;
  after: Sleep | null;
  /** True while the sleep waits in the wake queue (its owner must not reuse it before it leaves). */
  queued: boolean;
}

/** The sleeps due in one millisecond, in the order they were scheduled, and their timer. */
class Bucket {
  head: Sleep | null = null;
  tail: Sleep | null = null;
  timer: NodeJS.Timeout | undefined = undefined;
  constructor(readonly due: number) {}
}

/** Buckets by due millisecond (performance.now() rounded up). */
const buckets = new Map<number, Bucket>();

/** @internal How many buckets wait for their timer (each holds one): for tests. */
export function waitingBuckets(): number {
  return buckets.size;
}

/**
 * Ends `sleep` (through `wake`) after `ms`, or soon after: it joins the bucket of the millisecond
 * it is due in, which fires no sooner than `ms` from now.
 */
export function schedule(sleep: Sleep, ms: number): void {
  const now = performance.now();
  const due = Math.ceil(now + ms);
  let b = buckets.get(due);
  if (b === undefined) {
    b = new Bucket(due);
    b.timer = setTimeout(fire, due - now, b);
    buckets.set(due, b);
  }
  sleep.bucket = b;
  sleep.due = due;
  sleep.after = null;
  sleep.before = b.tail;
  if (b.tail) b.tail.after = sleep;
  else b.head = sleep;
  b.tail = sleep;
}

/**
 * Takes a scheduled sleep out of its bucket (it was rejected); the bucket's timer goes with its last
 * sleep, unless it already fired (`fire` took the bucket out of the map).
 */
export function cancel(sleep: Sleep): void {
  const b = sleep.bucket;
  if (b === null) return;
  unlink(b, sleep);
  if (b.head === null && buckets.get(b.due) === b) {
    clearTimeout(b.timer);
    buckets.delete(b.due);
  }
}

function unlink(b: Bucket, sleep: Sleep): void {
  if (sleep.before) sleep.before.after = sleep.after;
  else b.head = sleep.after;
  if (sleep.after) sleep.after.before = sleep.before;
  else b.tail = sleep.before;
  sleep.bucket = sleep.before = sleep.after = null;
}

/**
 * A bucket's timer fired: its sleeps wake in order, one microtask turn apart, so each woken VU
 * runs before the next `wake` reads the clock. Read from the head each time: a sleep cancelled
 * during a turn has left the list.
 */
async function fire(b: Bucket): Promise<void> {
  buckets.delete(b.due);
  for (let s = b.head; s !== null; s = b.head) {
    unlink(b, s);
    wake(s);
    if (b.head !== null) await null;
  }
}

/** A slice while the wakes keep up (ms). */
const SLICE_MS = 0.25;
/** The longest slice, however late the wakes are. */
const MAX_SLICE_MS = 5;
/** A late thread's slice: this share of how late the oldest queued wake is. */
const LATENESS_SHARE = 0.25;
/** performance.now() when this turn's waking began; -1 before the first wake of a turn. */
let sliceStart = -1;
const queue: Sleep[] = [];
let draining = false;

function newTurn(): void {
  sliceStart = -1;
}

/** A sleep's timer fired: end it now, or queue it behind the wakes that already took this turn's slice. */
function wake(sleep: Sleep): void {
  if (queue.length > 0) {
    sleep.queued = true;
    queue.push(sleep);
    return;
  }
  const now = performance.now();
  if (sliceStart < 0) {
    sliceStart = now;
    setImmediate(newTurn);
  } else if (now - sliceStart >= SLICE_MS) {
    sleep.queued = true;
    queue.push(sleep);
    if (!draining) {
      draining = true;
      void drain();
    }
    return;
  }
  // the woken VU runs up to its next wait before the next wake() (fire() gives it a microtask turn), so that wake() sees its cost
  sleep.end();
}

/**
 * Ends queued sleeps a slice at a time, letting the event loop poll its sockets between slices: a
 * slice lasts SLICE_MS, longer when the oldest queued wake is late (see the top of this file).
 */
async function drain(): Promise<void> {
  try {
    while (queue.length > 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const start = performance.now();
      const late = start - (queue[0] as Sleep).due;
      const until = start + Math.min(MAX_SLICE_MS, Math.max(SLICE_MS, late * LATENESS_SHARE));
      do {
        const sleep = queue.shift() as Sleep;
        sleep.queued = false;
        sleep.end();
        // one microtask turn: the VU resumed by end() runs up to its next wait before the clock is read
        await null;
      } while (queue.length > 0 && performance.now() < until);
    }
  } finally {
    draining = false;
  }
}
