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
 */
import { EngineError, ExitCode } from '../errors.ts';
import type { LogExtras } from './logging.ts';
import type { LogFields, LogLevel } from '../log.ts';
import { emptyStats } from './host.ts';
import type { InstanceHost } from './host.ts';
import type { InstanceStats, ScenarioStatus } from './instance.ts';
import type { TestPlan } from './test-plan.ts';
import { WorkerThread } from './worker-thread.ts';
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
export function instanceThread(scriptPath: string, settings: { logOutput: string; verbose: boolean; logExtras?: LogExtras }, memoryMb: number, events: ThreadEvents): WorkerThread {
  return new WorkerThread({ scriptPath, logOutput: settings.logOutput, verbose: settings.verbose, logExtras: settings.logExtras }, memoryMb, events, 'instance');
}

export class WorkerHost implements InstanceHost {
  private readonly thread: WorkerThread;
  private lastStats: InstanceStats = emptyStats();
  private lastProgress: ScenarioStatus[] = [];
  private statsWaiters: ((s: InstanceStats) => void)[] = [];
  /** Date.now() after which a worker still running is terminated (Infinity before the run). */
  private deadline = Infinity;
  private watchdog: NodeJS.Timeout | undefined;
  /** Iterations lost to a termination (added to the worker's own count). */
  private lostIterations = 0;
  private stopping: 'graceful' | 'hard' | undefined;

  /** `thread`: one started earlier (before the plan was known) to save its start-up time. */
  constructor(
    private readonly plan: TestPlan,
    private readonly index: number,
    private readonly events: InstanceHostEvents,
    thread?: WorkerThread,
  ) {
    const names = Object.keys(plan.scenarios).join(', ');
    const label = plan.instances.length > 1 ? `scenario ${names} (worker ${index + 1} of ${plan.instances.length})` : `scenario ${names}`;
    this.thread = (thread ?? instanceThread(plan.scriptPath, { ...plan.settings, logExtras: plan.logExtras }, plan.limits.workerMemoryMb, events)).retain();
    this.thread.label = label;
    this.label = label;
    this.thread.listen((m) => {
      switch (m.type) {
        case 'tick':
        case 'done':
          events.delta(m.delta);
          this.lastStats = m.stats;
          this.lastProgress = m.progress;
          break;
        case 'ready':
          this.lastStats = m.stats;
          break;
        case 'closed':
          events.delta(m.delta);
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
    await this.thread.request({ type: 'init', plan: this.plan, index: this.index }, 'ready');
  }

  /** Ends the thread whatever it runs (init past its limit). */
  terminate(): Promise<void> {
    return this.thread.terminate();
  }

  async run(startEpoch: number, setupData: string | undefined): Promise<void> {
    const mine = this.plan.instances[this.index];
    this.deadline = startEpoch + (mine?.endMs ?? 0);
    // The thread may have run setup() before (it also plays the lifecycle role): errors name the scenarios now.
    this.thread.label = this.label;
    this.watchdog = setInterval(() => this.watch(), watchEveryMs);
    try {
      await this.thread.request({ type: 'run', startEpoch, setupData }, 'done');
    } catch (err) {
      const end = await Promise.race([this.thread.exited, Promise.resolve(undefined)]);
      // Terminated by the watchdog: the test goes on; what the thread sent so far is kept.
      if (end?.kind === 'terminated') return;
      throw err instanceof EngineError ? err : new EngineError(String(err), ExitCode.GenericEngine);
    } finally {
      clearInterval(this.watchdog);
    }
  }

  /** Why the thread ended, once it has (out of memory, a crash, terminated). */
  ended(): Promise<ThreadEnd> {
    return this.thread.exited;
  }

  private watch(): void {
    const now = Date.now();
    if (now < this.deadline || this.thread.isEnded) return;
    const silent = now - this.thread.lastHeard >= silentMs;
    if (!silent && this.stopping !== 'hard' && now < this.deadline + lateGraceMs) return;
    clearInterval(this.watchdog);
    // At least one VU was inside an iteration: the thread was running its code.
    this.lostIterations = Math.max(1, this.lastStats.vusActive);
    const why = this.stopping === 'hard' ? 'the hard stop' : this.stopping === 'graceful' ? 'the graceful stop' : 'the end of its scenarios (gracefulStop included)';
    this.events.warn(`${this.thread.label}: VUs still running script code after ${why}; worker thread terminated, ${this.lostIterations} iteration(s) interrupted`);
    void this.thread.terminate();
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
    if (this.lostIterations === 0) return s;
    return { ...s, vusActive: 0, iterationsInterrupted: s.iterationsInterrupted + this.lostIterations };
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
    return this.lastProgress;
  }

  async close(): Promise<void> {
    clearInterval(this.watchdog);
    await this.thread.close('instance', this.stopping === 'hard' ? hardStopGraceMs : 5000);
  }
}
