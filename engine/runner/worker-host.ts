/**
 * The main thread's side of one worker thread (`--workers N`, N > 1): starts it on
 * worker-entry.js (which registers tsx), forwards init/run/stop/close, and turns its messages into
 * metric deltas, live stats and progress. A worker that dies unexpectedly ends its part of the run
 * with an engine error instead of hanging the test.
 */
import { Worker } from 'node:worker_threads';
import { EngineError, ExitCode } from '../errors.ts';
import type { ExitCodeValue } from '../errors.ts';
import { emptyStats } from './host.ts';
import type { HostEvents, InstanceHost, InstancePlan } from './host.ts';
import type { InstanceStats, ScenarioStatus } from './instance.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

const entry = new URL('./worker-entry.js', import.meta.url);

/** After a hard stop, how long a worker gets to send its last delta before it is terminated (ms). */
const hardStopGraceMs = 2000;

export class WorkerHost implements InstanceHost {
  private readonly worker: Worker;
  private lastStats: InstanceStats = emptyStats();
  private lastProgress: ScenarioStatus[] = [];
  private waiting: { type: FromWorker['type'][]; resolve(m: FromWorker): void; reject(e: Error): void } | undefined;
  private exited = false;
  private hardTimer: NodeJS.Timeout | undefined;
  private statsWaiters: ((s: InstanceStats) => void)[] = [];

  constructor(
    plan: InstancePlan,
    private readonly events: HostEvents,
  ) {
    this.worker = new Worker(entry, { workerData: plan, stderr: true });
    this.worker.stderr.on('data', (chunk: Uint8Array) => (events.stderr ? events.stderr(chunk) : process.stderr.write(chunk)));
    this.worker.on('message', (m: FromWorker) => this.onMessage(m));
    this.worker.on('error', (err) => this.settleWithError(new EngineError(`worker for segment ${plan.segment ?? '0:1'} failed: ${err.message}`, ExitCode.GenericEngine)));
    this.worker.on('exit', (code) => {
      this.exited = true;
      if (this.hardTimer) clearTimeout(this.hardTimer);
      this.settleWithError(new EngineError(`worker for segment ${plan.segment ?? '0:1'} exited (code ${code})`, ExitCode.GenericEngine));
    });
  }

  private send(m: ToWorker): void {
    if (!this.exited) this.worker.postMessage(m);
  }

  private expect(...type: FromWorker['type'][]): Promise<FromWorker> {
    if (this.exited) return Promise.reject(new EngineError('worker is gone', ExitCode.GenericEngine));
    return new Promise((resolve, reject) => {
      this.waiting = { type, resolve, reject };
    });
  }

  private settleWithError(err: Error): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(err);
  }

  private onMessage(m: FromWorker): void {
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
      case 'logOnce':
        this.events.logOnce?.(m.key, m.level, m.msg, m.fields);
        break;
      case 'stats': {
        this.lastStats = m.stats;
        const waiters = this.statsWaiters;
        this.statsWaiters = [];
        for (const w of waiters) w(m.stats);
        return;
      }
      case 'abort':
        this.events.abort(m.reason);
        return;
      case 'fail':
        this.events.fail(m.reason);
        return;
      case 'failed':
        break;
    }
    const w = this.waiting;
    if (!w) return;
    if (m.type === 'failed') {
      this.waiting = undefined;
      w.reject(new EngineError(m.message, m.exitCode as ExitCodeValue));
    } else if (w.type.includes(m.type)) {
      this.waiting = undefined;
      w.resolve(m);
    }
  }

  async init(): Promise<void> {
    const ready = this.expect('ready');
    this.send({ type: 'init' });
    await ready;
  }

  async run(startEpoch: number, setupData: string | undefined): Promise<void> {
    const done = this.expect('done');
    this.send({ type: 'run', startEpoch, setupData });
    try {
      await done;
    } catch (err) {
      // A hard stop may terminate the worker before it says 'done': what it sent so far is kept.
      if (!this.exited || !this.hardTimer) throw err;
    }
  }

  stopGraceful(): void {
    this.send({ type: 'stop', hard: false });
  }

  stopHard(): void {
    this.send({ type: 'stop', hard: true });
    if (!this.hardTimer) {
      this.hardTimer = setTimeout(() => void this.worker.terminate(), hardStopGraceMs);
      this.hardTimer.unref();
    }
  }

  stats(): InstanceStats {
    return this.lastStats;
  }

  freshStats(): Promise<InstanceStats> {
    if (this.exited) return Promise.resolve(this.lastStats);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.lastStats), 200);
      this.statsWaiters.push((s) => {
        clearTimeout(timer);
        resolve(s);
      });
      if (this.statsWaiters.length === 1) this.send({ type: 'stats' });
    });
  }

  progress(): ScenarioStatus[] {
    return this.lastProgress;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const closed = this.expect('closed').catch(() => undefined);
    this.send({ type: 'close' });
    const timeout = new Promise((r) => setTimeout(r, 5000).unref());
    await Promise.race([closed, timeout]);
    await this.worker.terminate();
  }
}
