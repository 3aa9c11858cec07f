/**
 * The coordinator's side of one instance (execution segment) running in a worker thread: forwards
 * init/run/stop/close, turns the thread's messages into metric deltas, live stats and progress, and
 * keeps the test's time limits even when script code never yields.
 *
 * The watchdog: a worker reports every 500 ms while it runs. Once its scenarios' end (gracefulStop
 * included) has passed, or a graceful stop's gracefulStop, or a hard stop's short grace, a worker
 * that has not finished and has been silent for a second is busy in synchronous script code: it is
 * terminated (k6 interrupts such a VU's runtime the same way). Its running iterations count as
 * interrupted; every delta it sent before is kept. A worker that is not silent is still
 * finishing on its own and is given a few more seconds.
 *
 * One scenario's busy VU must not stop the others that share its thread: when a scenario is past
 * its end (gracefulStop included) while one of its iterations still runs, by the per-scenario
 * counters the thread keeps in shared memory (readable while its JavaScript is stuck), and the
 * thread has been silent for a second, it is terminated before the instance's end and a new thread
 * takes over the scenarios that have not ended, on their schedule (engine/executors resumeFrom):
 * time-based executors go on where the clock is, iteration-count executors skip the iterations
 * the lost thread started, arrival-rate iterations due while it was stuck count as dropped.
 */
import { EngineError, ExitCode } from '../errors.ts';
import { initTimeoutError } from './lifecycle-host.ts';
import type { WorkerStart } from './worker-start.ts';
import type { LogFields, LogLevel } from '../log.ts';
import { emptyStats } from './host.ts';
import type { InstanceHost } from './host.ts';
import type { InstanceResume, InstanceStats, ScenarioStatus } from './instance.ts';
import type { TestPlan } from './test-plan.ts';
import { WorkerThread, withLimit } from './worker-thread.ts';
import type { ThreadEnd, ThreadEvents } from './worker-thread.ts';

/** After a hard stop, how long a worker gets to send its last delta before it is terminated (ms). */
const hardStopGraceMs = 500;
/** A worker silent this long past its deadline is running code that does not yield (ms). */
const silentMs = 1000;
/** A worker that still talks past its deadline gets this long to finish before it is terminated (ms). */
const lateGraceMs = 5000;
const watchEveryMs = 100;

export interface InstanceHostEvents {
  delta(delta: unknown): void;
  abort(reason: string | undefined): void;
  fail(reason: string | undefined): void;
  stderr?(chunk: Uint8Array): void;
  logOnce?(key: string, level: LogLevel, msg: string, fields: LogFields): void;
  /** One line about a worker terminated for running past its deadline. */
  warn(message: string): void;
}

/** A thread for an instance; it starts loading the script at once (spawn() it). */
export function instanceThread(start: WorkerStart, memoryMb: number, events: ThreadEvents): WorkerThread {
  return new WorkerThread(start, memoryMb, events, 'instance');
}

export class WorkerHost implements InstanceHost {
  private thread: WorkerThread;
  private lastStats: InstanceStats = emptyStats();
  private lastProgress: ScenarioStatus[] = [];
  private statsWaiters: ((s: InstanceStats) => void)[] = [];
  /** Date.now() after which a worker still running is terminated (Infinity before the run). */
  private deadline = Infinity;
  private watchdog: NodeJS.Timeout | undefined;
  /** Iterations of threads this host no longer runs (terminated ones, their lost iterations included). */
  private carried = { completed: 0, interrupted: 0 };
  /** Final progress of scenarios a terminated thread ran that its replacement does not run. */
  private endedProgress: ScenarioStatus[] = [];
  private stopping: 'graceful' | 'hard' | undefined;
  /** Per scenario (plan.scenarios key order): iterations running now, written by the thread (Atomics). */
  private readonly running: Int32Array;
  private readonly scenarioNames: string[];
  /** Set by the watchdog when it terminated the thread so that a new one takes over these scenarios. */
  private takeOver: InstanceResume | undefined;
  private startEpoch = 0;

  /** `thread`: one started earlier (before the plan was known) to save its start-up time. */
  constructor(
    private readonly plan: TestPlan,
    private readonly index: number,
    private readonly events: InstanceHostEvents,
    thread?: WorkerThread,
  ) {
    this.scenarioNames = Object.keys(plan.scenarios);
    this.running = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, this.scenarioNames.length)));
    const names = this.scenarioNames.join(', ');
    const label = plan.instances.length > 1 ? `scenario ${names} (worker ${index + 1} of ${plan.instances.length})` : `scenario ${names}`;
    this.label = label;
    this.thread = this.attach(thread ?? this.newThread());
  }

  private newThread(): WorkerThread {
    const { plan } = this;
    return instanceThread(plan.workerStart, plan.limits.workerMemoryMb, this.events);
  }

  private attach(thread: WorkerThread): WorkerThread {
    thread.retain();
    thread.label = this.label;
    thread.listen((m) => {
      if (thread !== this.thread) return; // a replaced thread's last words
      switch (m.type) {
        case 'tick':
        case 'done':
          this.events.delta(m.delta);
          this.lastStats = m.stats;
          this.lastProgress = m.progress;
          break;
        case 'ready':
          this.lastStats = m.stats;
          break;
        case 'closed':
          this.events.delta(m.delta);
          break;
        case 'stats': {
          this.lastStats = m.stats;
          const waiters = this.statsWaiters;
          this.statsWaiters = [];
          for (const w of waiters) w(m.stats);
          break;
        }
      }
    });
    return thread;
  }

  /** Names the scenarios this worker runs (for error lines). */
  readonly label: string;

  /** Starts the thread (resolves once it runs). */
  async start(): Promise<void> {
    if (!this.thread.isSpawned) await this.thread.spawn();
    await this.thread.online;
  }

  /** The started thread loads the script and initialises its VUs. */
  async init(): Promise<void> {
    await this.start();
    await this.thread.request({ type: 'init', plan: this.plan, index: this.index, running: this.running.buffer as SharedArrayBuffer }, 'ready');
  }

  /** Ends the thread whatever it runs (init past its limit). */
  terminate(): Promise<void> {
    return this.thread.terminate();
  }

  async run(startEpoch: number, setupData: string | undefined): Promise<void> {
    const mine = this.plan.instances[this.index];
    this.startEpoch = startEpoch;
    this.deadline = startEpoch + (mine?.endMs ?? 0);
    // The thread may have run setup() before (it also plays the lifecycle role): errors name the scenarios now.
    this.thread.label = this.label;
    this.watchdog = setInterval(() => this.watch(), watchEveryMs);
    try {
      for (;;) {
        try {
          await this.thread.request({ type: 'run', startEpoch, setupData }, 'done');
          return;
        } catch (err) {
          const end = await Promise.race([this.thread.exited, Promise.resolve(undefined)]);
          // Terminated by the watchdog: the test goes on; what the thread sent so far is kept.
          if (end?.kind !== 'terminated') throw err instanceof EngineError ? err : new EngineError(String(err), ExitCode.GenericEngine);
          const resume = this.takeOver;
          this.takeOver = undefined;
          if (!resume || this.stopping) return;
          try {
            await this.replace(resume);
          } catch (e) {
            // Init past its limit fails the run (102); a replacement the stop (or the instance's end) terminated does not.
            const replaced = await Promise.race([this.thread.exited, Promise.resolve(undefined)]);
            if (replaced?.kind === 'terminated' && !(e instanceof EngineError && e.exitCode === ExitCode.GenericTimeout)) return;
            throw e;
          }
          if (this.stopping) return;
        }
      }
    } finally {
      clearInterval(this.watchdog);
    }
  }

  /** A new thread takes over the scenarios of the terminated one that have not ended (init within the init limit). */
  private async replace(resume: InstanceResume): Promise<void> {
    const old = this.thread;
    this.carried.completed += this.lastStats.iterationsCompleted;
    this.carried.interrupted += this.lastStats.iterationsInterrupted;
    const ended = new Set(resume.ended);
    this.endedProgress.push(...this.lastProgress.filter((p) => ended.has(p.name)));
    this.lastStats = emptyStats();
    this.lastProgress = [];
    for (let i = 0; i < this.running.length; i++) Atomics.store(this.running, i, 0);
    await old.close('instance', 0);
    const t = this.attach(this.newThread());
    this.thread = t;
    const initMs = this.plan.limits.initMs;
    const ready = (async () => {
      await t.spawn();
      await t.online;
      await t.request({ type: 'init', plan: this.plan, index: this.index, running: this.running.buffer as SharedArrayBuffer, resume }, 'ready');
    })();
    await withLimit(t, ready, initMs, () => initTimeoutError(this.plan.scriptPath, initMs));
  }

  /** Why the thread ended, once it has (out of memory, a crash, terminated). */
  ended(): Promise<ThreadEnd> {
    return this.thread.exited;
  }

  /** Iterations running now, by the thread's own shared counters (exact even while its JavaScript is stuck). */
  private runningNow(): number {
    let n = 0;
    for (let i = 0; i < this.running.length; i++) n += Atomics.load(this.running, i);
    return n;
  }

  private watch(): void {
    const now = Date.now();
    const thread = this.thread;
    if (thread.isEnded || this.takeOver) return;
    const silent = now - thread.lastHeard >= silentMs;
    if (now < this.deadline) {
      if (silent && !this.stopping) this.watchScenarios(now, thread);
      return;
    }
    if (!silent && this.stopping !== 'hard' && now < this.deadline + lateGraceMs) return;
    clearInterval(this.watchdog);
    // At least one VU was inside an iteration: the thread was running its code.
    const lost = Math.max(1, this.runningNow(), this.lastStats.vusActive);
    this.carried.interrupted += lost;
    const why = this.stopping === 'hard' ? 'the hard stop' : this.stopping === 'graceful' ? 'the graceful stop' : 'the end of its scenarios (gracefulStop included)';
    this.events.warn(`${thread.label}: VUs still running script code after ${why}; worker thread terminated, ${lost} iteration(s) interrupted`);
    void thread.terminate();
  }

  /**
   * Before the instance's end: a scenario past its own end (by a second more, its interrupt timer
   * had time to fire) with an iteration still running, on a silent thread, is stuck in script
   * code; the thread is terminated and a new one takes over the scenarios that go on.
   */
  private watchScenarios(now: number, thread: WorkerThread): void {
    const ends = new Map(this.plan.instances[this.index]?.scenarioEnds ?? []);
    const elapsed = now - this.startEpoch;
    const stuck = this.scenarioNames.filter((name, i) => Atomics.load(this.running, i) > 0 && elapsed >= (ends.get(name) ?? Infinity) + silentMs);
    if (stuck.length === 0) return;
    const ended = this.scenarioNames.filter((name) => elapsed >= (ends.get(name) ?? 0));
    const going = this.scenarioNames.filter((name) => !ended.includes(name) && ends.has(name));
    const lost = this.runningNow();
    const done: Record<string, number> = {};
    for (const p of this.lastProgress) done[p.name] = p.completed + p.interrupted;
    // Iterations of the scenarios that go on, caught mid-way, are lost too: the new thread does not redo them.
    this.scenarioNames.forEach((name, i) => {
      if (!ended.includes(name)) done[name] = (done[name] ?? 0) + Atomics.load(this.running, i);
    });
    this.carried.interrupted += lost;
    this.takeOver = going.length > 0 ? { lostAtMs: thread.lastHeard - this.startEpoch, done, ended } : undefined;
    const then = going.length > 0 ? `; a new worker thread runs ${going.join(', ')} on ${going.length === 1 ? 'its' : 'their'} schedule` : '';
    this.events.warn(
      `${this.label}: VUs of scenario ${stuck.join(', ')} still running script code after its end (gracefulStop included); worker thread terminated, ${lost} iteration(s) interrupted${then}`,
    );
    if (going.length === 0) clearInterval(this.watchdog);
    void thread.terminate();
  }

  stopGraceful(): void {
    if (this.stopping) return;
    this.stopping = 'graceful';
    this.thread.send({ type: 'stop', hard: false });
    const grace = Math.max(0, ...(this.plan.instances[this.index]?.gracefulStops ?? []).map(([, ms]) => ms));
    this.deadline = Math.min(this.deadline, Date.now() + grace);
  }

  stopHard(): void {
    this.stopping = 'hard';
    this.thread.send({ type: 'stop', hard: true });
    this.deadline = Math.min(this.deadline, Date.now() + hardStopGraceMs);
  }

  stats(): InstanceStats {
    const s = this.lastStats;
    const gone = this.thread.isEnded;
    return {
      vusActive: gone ? 0 : s.vusActive,
      vusInitialized: s.vusInitialized,
      iterationsCompleted: s.iterationsCompleted + this.carried.completed,
      iterationsInterrupted: s.iterationsInterrupted + this.carried.interrupted,
    };
  }

  freshStats(): Promise<InstanceStats> {
    if (this.thread.isEnded) return Promise.resolve(this.stats());
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.stats()), 200);
      this.statsWaiters.push(() => {
        clearTimeout(timer);
        resolve(this.stats());
      });
      if (this.statsWaiters.length === 1) this.thread.send({ type: 'stats' });
    });
  }

  progress(): ScenarioStatus[] {
    return this.endedProgress.length === 0 ? this.lastProgress : [...this.endedProgress, ...this.lastProgress];
  }

  async close(): Promise<void> {
    clearInterval(this.watchdog);
    await this.thread.close('instance', this.stopping === 'hard' ? hardStopGraceMs : 5000);
  }
}
