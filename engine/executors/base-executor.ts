/**
 * The mechanics every executor shares, so each executor file only says how it schedules:
 *   - waiting for startTime on the runtime's monotonic clock, abortable;
 *   - running one iteration on a VU with k6's numbering and counting its outcome;
 *   - the end of a scenario: start no new iterations, give running ones gracefulStop (or
 *     gracefulRampDown) to finish, then interrupt them through ExecVu.interrupt();
 *   - the runtime's abort signal: start nothing new; running iterations get gracefulStop
 *     (the runner interrupts at once itself on a hard stop);
 *   - yielding to the event loop so iterations that settle in microtasks cannot starve timers,
 *     and while thousands of VUs start, so the first ones' sockets and answers are read on time.
 */
import { performance } from 'node:perf_hooks';
import type { ExecIteration, ExecVu, Executor, ExecutorRuntime, IterationOutcome, ScenarioProgress, ScenarioResume, SegmentInfo } from '../types.ts';
import type { CommonScenarioConfig } from './base-config.ts';

/** Longest stretch (ms) a chain of microtask-settled iterations may run before yielding. */
const YIELD_EVERY_MS = 10;

/** What a loopVu `next()` returns to end the loop. */
export const STOP = -1;
/** performance.now() after the last turn a looping VU waited for (this thread's executors share it). */
let lastTurn = performance.now();
/** The turn looping VUs wait for now, or null. */
let turnGate: Promise<void> | null = null;
/** How long VUs start before the event loop turns once (see startLoops). */
const START_SLICE_MS = 0.25;
/** The same, after a turn in which VUs that never wait ran until they had to yield (see startLoops). */
const BUSY_START_SLICE_MS = 1;
/** How many turn gates looping VUs have opened (waitForTurn): a count that moved during a turn says they kept the thread busy. */
let gatesOpened = 0;

/**
 * Test-wide iteration numbers for VU-based executors. With `period` test-wide units (VUs), unit
 * j belongs to the segment that owns `j mod period`; this segment's k-th iteration gets the k-th
 * such j. The segments of one sequence thus hand out disjoint numbers that together cover
 * 0..total-1 whenever each segment runs its exact share (shared-iterations, per-vu-iterations).
 */
export class GlobalIterations {
  private j = -1;

  constructor(
    private readonly segment: SegmentInfo,
    private readonly period: number,
  ) {}

  /** How many of the test-wide units 0..n-1 are this segment's. */
  share(n: number): number {
    const p = this.period;
    if (p <= 0) return 0;
    return Math.floor(n / p) * this.segment.scale(p) + this.segment.scale(n % p);
  }

  next(): number {
    if (this.segment.scale(this.period) === 0) throw new Error('this segment owns no VU of the scenario');
    do this.j++;
    while (!this.segment.ownsIteration(this.j % this.period));
    return this.j;
  }
}

export abstract class BaseExecutor<C extends CommonScenarioConfig = CommonScenarioConfig> implements Executor {
  readonly type: string;
  readonly startTime: number;
  protected rt!: ExecutorRuntime;
  /** rt.now() when the scenario actually started (after startTime); -1 before. */
  protected startedAt = -1;
  /** rt.now() when it finished; -1 while running. */
  protected endedAt = -1;
  protected completed = 0;
  protected interrupted = 0;
  /** Iterations started in this instance. */
  protected started = 0;
  /** Per VU, iterations it started in this scenario: k6's exec.vu.iterationInScenario. */
  private readonly perVu = new WeakMap<ExecVu, number>();
  /** VUs currently inside runIteration. */
  protected readonly running = new Set<ExecVu>();
  /** Aborted when no new iteration may start (regular end reached, or the test is stopping). */
  private readonly stopCtl = new AbortController();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    readonly name: string,
    readonly config: C,
    readonly segment: SegmentInfo,
  ) {
    this.type = config.executor;
    this.startTime = config.startTime;
  }

  abstract maxDuration(): number;
  abstract preAllocatedVus(): number;
  abstract maxVus(): number;
  abstract progress(): ScenarioProgress;
  /** Schedules the scenario; resolves when every iteration it started has settled. */
  protected abstract execute(): Promise<void>;

  async run(rt: ExecutorRuntime): Promise<void> {
    this.rt = rt;
    const onAbort = () => this.endScenario(this.config.gracefulStop);
    if (rt.signal.aborted) return;
    rt.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.sleepUntil(this.startTime);
      if (this.stopping) return;
      // Taken over from a lost thread, the scenario keeps its schedule: it started at its startTime
      // (also when that passed while the lost thread was stuck).
      this.startedAt = rt.resume ? this.startTime : rt.now();
      if (rt.resume) this.resumeFrom(rt.resume);
      await this.execute();
    } finally {
      rt.signal.removeEventListener('abort', onAbort);
      this.stopCtl.abort();
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      this.endedAt = rt.now();
    }
  }

  /** True once no new iteration may start. */
  protected get stopping(): boolean {
    return this.stopCtl.signal.aborted;
  }

  /** ms since the scenario started (0 before, frozen at the end). */
  protected elapsed(): number {
    if (this.startedAt < 0 || !this.rt) return 0;
    return (this.endedAt >= 0 ? this.endedAt : this.rt.now()) - this.startedAt;
  }

  /**
   * The scenario's regular end (or the test stopping): no new iterations; those still running
   * get `grace` ms, then are interrupted. Idempotent: the first call fixes the deadline.
   */
  protected endScenario(grace: number): void {
    if (this.stopping) return;
    this.stopCtl.abort();
    this.after(grace, () => this.interruptRunning());
    this.onStopping();
  }

  /**
   * Hook for a scenario taken over from a terminated worker thread (called once startedAt is the
   * scheduled start): iteration-count executors skip what the lost thread started. Time-based ones
   * need nothing: their schedule is relative to startedAt.
   */
  protected resumeFrom(_resume: ScenarioResume): void {}

  /** Hook for executors that park VUs: wake them, no new iteration may start. */
  protected onStopping(): void {}

  protected interruptRunning(): void {
    for (const vu of this.running) vu.interrupt();
  }

  /** Runs `fn` after `ms` unless the scenario has finished by then. */
  protected after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, Math.max(0, ms));
    this.timers.add(t);
  }

  /**
   * Runs `fn` at `at` ms after the scenario start (on the monotonic clock). Node's timers may fire
   * up to a millisecond before performance.now() reaches the deadline (they round on their own
   * coarser clock), so the clock is re-checked and the timer re-armed until it is due: a scenario
   * must not end at 2.4994 s of its 2.5 s.
   */
  protected atScenarioTime(at: number, fn: () => void): void {
    const due = this.startedAt + at;
    const check = () => {
      const left = due - this.rt.now();
      if (left > 0) this.after(Math.ceil(left), check);
      else fn();
    };
    this.after(due - this.rt.now(), check);
  }

  /**
   * Sleeps until the runtime clock reads `until` (ms since the test start); wakes early, without
   * error, when the scenario stops. Timers may fire a little early, so the clock is re-checked.
   */
  protected async sleepUntil(until: number): Promise<void> {
    const signal = this.stopCtl.signal;
    for (;;) {
      const wait = until - this.rt.now();
      if (wait <= 0 || signal.aborted) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const t = setTimeout(done, Math.max(1, Math.ceil(wait)));
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  /**
   * Starts one iteration on `vu`, counting it as started; `iter` carries its numbers
   * (iterationInScenario: this VU's count in this scenario, k6's exec.vu.iterationInScenario,
   * 0, 1, 2, … per VU; iterationInTest: the test-wide number the executor assigns), and its
   * `ended` must call iterationEnded. Public for VuLoop (below), which is this class's own part.
   */
  begin(vu: ExecVu, iter: ExecIteration): void {
    this.started++;
    this.running.add(vu);
    vu.startIteration(iter);
  }

  /** How many iterations `vu` has started in this scenario (a VU's count goes on across its loops and iterate calls). */
  private iterationsOf(vu: ExecVu): number {
    return this.perVu.get(vu) ?? 0;
  }

  /** Counts an iteration that ended. Public for VuLoop, as begin. */
  iterationEnded(vu: ExecVu, outcome: IterationOutcome): void {
    this.running.delete(vu);
    if (outcome === 'completed') this.completed++;
    else this.interrupted++;
  }

  /** Runs one iteration on `vu`; resolves with its outcome, never rejects (the arrival-rate executors: one async call per iteration anyway). */
  protected iterate(vu: ExecVu, iterationInTest: number): Promise<IterationOutcome> {
    const iterationInScenario = this.iterationsOf(vu);
    this.perVu.set(vu, iterationInScenario + 1);
    return new Promise<IterationOutcome>((resolve) =>
      this.begin(vu, {
        iterationInScenario,
        iterationInTest,
        ended: (v, outcome) => {
          this.iterationEnded(v, outcome);
          resolve(outcome);
        },
      }),
    );
  }

  /**
   * One VU's closed-model loop (constant-vus, ramping-vus, per-vu-iterations, shared-iterations):
   * before each iteration `next()` gives its test-wide number, STOP to end the loop, or a promise
   * to wait for before asking again (a parked ramping-vus slot); `done()` runs once at the end, and
   * the promise returned settles after it. See VuLoop.
   */
  protected loopVu(vu: ExecVu, next: () => number | Promise<void>, done: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // the VU's count lives in its loop while it runs (a WeakMap get and set per iteration cost more)
      const finished = () => {
        this.perVu.set(vu, loop.count);
        done();
      };
      const loop = new VuLoop(this, vu, this.iterationsOf(vu), next, finished, resolve, reject);
      loop.step();
    });
  }

  /**
   * For a VU that loops (closed model), after each iteration: true when iterations have been
   * settling in microtasks for a while, and the loop should `await this.waitForTurn()` so timers (the
   * scenario's end, other scenarios), sockets and the VUs still to start are not starved. Checked
   * first: an await per iteration is not free. Arrival-rate executors do not use it: their
   * scheduler yields, and a VU must be free again the moment its iteration settles.
   */
  yieldDue(): boolean {
    return turnGate !== null || performance.now() - lastTurn >= YIELD_EVERY_MS;
  }

  /**
   * Waits for the event loop's next turn, together with every other looping VU of this thread: one
   * gate for all, so the microtask queue drains. (With one VU yielding at a time, the others kept
   * iterating in microtasks and no timer or socket ran until all had yielded: 1,000 VUs that never
   * wait held the thread for ten seconds, and VUs still to start never started.)
   */
  waitForTurn(): Promise<void> {
    if (turnGate === null) {
      gatesOpened++;
      turnGate = new Promise<void>((resolve) =>
        setImmediate(() => {
          turnGate = null;
          lastTurn = performance.now();
          resolve();
        }),
      );
    }
    return turnGate;
  }

  /**
   * Starts `loop` for every VU, in order, and resolves when all have ended. Each loop runs its
   * first iteration up to its first wait as it starts (a request's connect and write), so starting
   * thousands costs the thread ~0.2 ms each; in one piece, a worker's 5,000 took ~1.3 s during
   * which no socket was read: every first request counted that second as `connecting`, and the
   * VUs stayed bunched into bursts the thread could not keep up with (10,000 VUs of `http.get` +
   * `sleep(1)` reached 64 % of their ideal rate). So after each START_SLICE_MS of starting, the
   * event loop turns once: the VUs start spread over the time the thread needs to start them and
   * serve the ones already running, and the connects and answers of the first ones are read while
   * the later ones start. With 10 ms slices the first requests still waited for the slice: at
   * 1,000 VUs their median was 22 ms (connecting 20 ms) against a server answering in
   * microseconds, and the run's p95 21 ms; with 1 ms slices 3 ms, and p95 3.6–3.9 ms (10,000 VUs:
   * p95 35–39 → 11.5 ms, as many iterations).
   * Measured alternatives, worse for sleeping VUs: yielding only while the turns so far took less
   * time than the starting (71 % of the ideal rate), and slices a quarter as long as the last turn
   * (78–86 %).
   * Slices that grow with the rest of the turn (as long as it, or a quarter of it, up to 10 ms)
   * brought the 10,000-VU first requests back to a median of 28–45 ms (5.5 ms with 1 ms slices).
   * The cost: VUs that keep a saturated thread busy run between the slices, so the start takes
   * longer. The last of 5,000 VUs that never wait, in one worker, started 0.65 s after the first
   * (0.33 s with 10 ms slices). 60 VUs that each work 1 ms every 6 ms all started after 1.9 s
   * (0.9 s), and after more than 5 s beside four CPU-bound processes on two cores.
   * Slices are now 0.25 ms (issue 21, with the wake slices of ../vu/sleep-wakes.ts): the first
   * requests of 1,000 and 10,000 sleeping VUs wait less for the slice (p95 of the 1,000-VU run
   * ~5 → ~3 ms, its first requests most of its tail). But VUs that never wait run 10 ms a turn
   * (YIELD_EVERY_MS) before they yield, so 0.25 ms slices started the last of 5,000 after 2.6–2.8 s
   * (0.7 s with 1 ms slices): after a turn in which they had to yield (a gate opened), the next
   * slice is 1 ms again (0.68 s).
   */
  protected async startLoops<V>(vus: readonly V[], loop: (vu: V, index: number) => Promise<void>): Promise<void> {
    const loops: Promise<void>[] = [];
    let sliceStart = performance.now();
    let slice = START_SLICE_MS;
    for (let i = 0; i < vus.length; i++) {
      const l = loop(vus[i] as V, i);
      l.catch(() => undefined); // a loop that fails while later ones start is reported by Promise.all below
      loops.push(l);
      if (i + 1 < vus.length && performance.now() - sliceStart >= slice) {
        const gates = gatesOpened;
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
        slice = gatesOpened !== gates ? BUSY_START_SLICE_MS : START_SLICE_MS;
      }
    }
    await Promise.all(loops);
  }

  /** Takes `n` VUs from the runtime, lowest idInInstance first. */
  protected async takeVus(n: number): Promise<ExecVu[]> {
    const vus = await Promise.all(Array.from({ length: n }, () => this.rt.getVu()));
    return vus.sort((a, b) => a.idInInstance - b.idInInstance);
  }

  protected returnVus(vus: Iterable<ExecVu>): void {
    for (const vu of vus) this.rt.returnVu(vu);
  }

  protected counts(): Pick<ScenarioProgress, 'completed' | 'interrupted'> {
    return { completed: this.completed, interrupted: this.interrupted };
  }
}

/** Zero-pads `n` to the width of `of`, as k6's progress counters do ("040/100"). */
export function pad(n: number, of: number): string {
  return String(n).padStart(String(of).length, '0');
}

/**
 * The state of one VU's loop (BaseExecutor.loopVu), and the ExecIteration its VU runs every
 * iteration with: an object with methods rather than an async function or closures. A suspended
 * async frame and the iteration's promise were held by every sleeping VU (~0.5 KB, promoted by the
 * scavenges during the sleep, issue 21); here a VU holds this one object for its whole loop.
 * Between iterations the loop yields as `yieldDue` says. An iteration that ended before
 * startIteration returned (nothing awaited, a hard-stopped run) goes on from a microtask, so the
 * stack does not grow.
 */
class VuLoop implements ExecIteration {
  iterationInScenario = 0;
  iterationInTest = 0;
  private starting = false;
  private endedWhileStarting = false;

  constructor(
    private readonly executor: BaseExecutor,
    private readonly vu: ExecVu,
    /** Iterations this VU has started in the scenario. */
    public count: number,
    private readonly next: () => number | Promise<void>,
    private readonly done: () => void,
    private readonly resolve: () => void,
    private readonly reject: (err: unknown) => void,
  ) {}

  step(): void {
    try {
      const n = this.next();
      if (typeof n !== 'number') {
        n.then(
          () => this.step(),
          (err: unknown) => this.finish(err),
        );
        return;
      }
      if (n === STOP) return this.finish();
      this.iterationInScenario = this.count++;
      this.iterationInTest = n;
      this.starting = true;
      this.endedWhileStarting = false;
      this.executor.begin(this.vu, this);
      this.starting = false;
      if (this.endedWhileStarting) queueMicrotask(() => this.afterIteration());
    } catch (err) {
      this.starting = false;
      this.finish(err);
    }
  }

  ended(vu: ExecVu, outcome: IterationOutcome): void {
    this.executor.iterationEnded(vu, outcome);
    if (this.starting) this.endedWhileStarting = true;
    else this.afterIteration();
  }

  private afterIteration(): void {
    if (!this.executor.yieldDue()) return this.step();
    this.executor.waitForTurn().then(
      () => this.step(),
      (err: unknown) => this.finish(err),
    );
  }

  private finish(err?: unknown): void {
    try {
      this.done();
    } catch (e) {
      err ??= e;
    }
    if (err === undefined) this.resolve();
    else this.reject(err);
  }
}
