/**
 * When sleeping VUs wake: in slices of about a millisecond, with the event loop reading sockets
 * between slices.
 *
 * Node runs every timer that is due in one turn of the event loop, and each woken VU runs its
 * iteration up to its next wait (a request's write) before the next timer. VUs that went to sleep
 * in one long turn are due in one turn again, so they stay bunched: at 1,000 VUs of `http.get` +
 * `sleep(1)` a worker woke them 50 at a time (the start's slices), at 10,000 in bursts of 100–800
 * lasting up to 160 ms. No socket is read during a burst, so every request in it counted the rest
 * of the burst as its own latency: the 10,000-VU run measured a median of 6.5–11 ms and a p95 of
 * 24–47 ms against a server that answers in microseconds, the 1,000-VU run a p95 of 6–8 ms.
 *
 * So a wake that comes after a millisecond of waking in the same turn is queued, and the queue is
 * drained a slice at a time from setImmediate (the event loop's check phase: sockets are polled
 * before it, and it does not make the loop wait, so a thread that only wakes VUs stays busy). A
 * slice is a millisecond, or as long as the rest of the turn took, up to 5 ms. Queued wakes keep
 * their order, and while the queue holds any, later timers join its end.
 * With 1 ms slices the same runs measured a median of 2.4–2.8 ms and a p95 of 9–11 ms (10,000
 * VUs) and a p95 of 3.4–4.1 ms (1,000 VUs), with as many iterations. The cost: a sleep that ends
 * while the thread is busy ends when its turn comes rather than in a burst, as late as it would be
 * anyway.
 */

/** A pending sleep, as the VU's work tracker holds it. */
export interface Sleep {
  /** Ends the sleep (resolves its promise) unless it ended already (rejected by an interrupt). */
  end(): void;
}

const sliceMs = 1;
/** The longest slice, however long the rest of the turn took. */
const maxSliceMs = 5;
/** performance.now() when this turn's waking began; -1 before the first wake of a turn. */
let sliceStart = -1;
const queue: Sleep[] = [];
let draining = false;

function newTurn(): void {
  sliceStart = -1;
}

/** A sleep's timer fired: end it now, or queue it behind the wakes that already took this turn's slice. */
export function wake(sleep: Sleep): void {
  if (queue.length > 0) {
    queue.push(sleep);
    return;
  }
  const now = performance.now();
  if (sliceStart < 0) {
    sliceStart = now;
    setImmediate(newTurn);
  } else if (now - sliceStart >= sliceMs) {
    queue.push(sleep);
    if (!draining) {
      draining = true;
      void drain();
    }
    return;
  }
  // Node runs the woken VU's microtasks before its next timer, so the next wake() sees its cost
  sleep.end();
}

/**
 * Ends queued sleeps a slice at a time, letting the event loop poll its sockets between slices.
 * A slice lasts 1 ms, or as long as the rest of the last turn took, up to 5 ms: when the thread is
 * busy with other work (answers to read, another scenario's arrivals, a host that deschedules it),
 * the waking VUs still get about half of it. (Slices as long as the rest of the turn, uncapped,
 * brought the bursts back: 10,000 VUs measured a p95 of 22–29 ms, against 13–17 ms with 1 or 5 ms
 * caps in the same window.)
 */
async function drain(): Promise<void> {
  try {
    let sliceEnd = performance.now();
    while (queue.length > 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const start = performance.now();
      const until = start + Math.min(maxSliceMs, Math.max(sliceMs, start - sliceEnd));
      do {
        (queue.shift() as Sleep).end();
        // one microtask turn: the VU resumed by end() runs up to its next wait before the clock is read
        await null;
      } while (queue.length > 0 && performance.now() < until);
      sliceEnd = performance.now();
    }
  } finally {
    draining = false;
  }
}
