/**
 * The coordinator's handle on one worker thread: starts it on the bundled worker entry with its
 * heap limit (resourceLimits), pipes its stderr, forwards its once-only log lines, and turns
 * request/answer pairs into promises. It can always end the thread: `terminate()` stops running
 * JavaScript, even a `while (true) {}`, which is how every time limit and the hard stop are kept.
 *
 * When the thread ends on its own (a crash, out of memory) every pending request rejects with an
 * EngineError whose message says why, so no caller waits forever.
 */
import { Worker } from 'node:worker_threads';
import { EngineError, ExitCode } from '../errors.ts';
import type { LogFields, LogLevel } from '../log.ts';
import { removeThreadBrowserFolderSoon } from '../modules/browser/temp-folder.ts';
import { takePrewarmed } from './prewarm.ts';
import { workerEntryFile } from './worker-bundle.ts';
import type { FromWorker, Role, ToWorker } from './worker-protocol.ts';
import type { WorkerStart } from './worker-start.ts';

export interface ThreadEvents {
  /** A worker thread's stderr (its log lines), to be written above the progress block. */
  stderr?(chunk: Uint8Array): void;
  /** A worker thread's once-only log line (k6 warns once per distinct error, not once per thread). */
  logOnce?(key: string, level: LogLevel, msg: string, fields: LogFields): void;
  abort(reason: string | undefined): void;
  fail(reason: string | undefined): void;
  /** The run's live threads: a thread adds itself when it starts and leaves when it ends, so the run can end every one. */
  threads?: Set<WorkerThread>;
}

/** Why a thread ended, as the coordinator reports it. */
export type ThreadEnd = { kind: 'terminated' } | { kind: 'outOfMemory' } | { kind: 'crashed'; message: string } | { kind: 'exited'; code: number };

export class WorkerThread {
  private worker: Worker | undefined;
  private readonly pending = new Set<{ of: ToWorker['type'] | undefined; role?: Role; types: FromWorker['type'][]; resolve(m: FromWorker): void; reject(e: Error): void }>();
  private readonly listeners: ((m: FromWorker) => void)[] = [];
  /** Roles using the thread (instance, lifecycle): it is terminated when the last lets go. */
  private users = 0;
  private ended: ThreadEnd | undefined;
  private terminating = false;
  /** The worker's thread id, kept: Node resets it to -1 once the thread exits. */
  private threadId = -1;
  /** Date.now() of the last message: a thread that stays silent is running script code that does not yield. */
  lastHeard = Date.now();
  readonly exited: Promise<ThreadEnd>;
  private resolveExit!: (e: ThreadEnd) => void;
  /**
   * Resolves once the thread runs JavaScript (or has ended). Limits on init code count from here:
   * starting a thread on a loaded machine can take seconds, and that is not the script's time.
   */
  readonly online: Promise<void>;
  private resolveOnline!: () => void;

  constructor(
    private readonly start: WorkerStart,
    private readonly memoryMb: number,
    private readonly events: ThreadEvents,
    /** Names the thread in error messages ("setup()", "scenario default"). */
    public label: string,
  ) {
    this.exited = new Promise((r) => (this.resolveExit = r));
    this.online = new Promise((r) => (this.resolveOnline = r));
  }

  private spawning: Promise<void> | undefined;
  /** What became of `run`'s prewarmed thread when this one started (prewarm.ts), for --verbose. */
  prewarmed: string | undefined;

  /** Starts the thread (after the worker bundle is ready); once. */
  spawn(): Promise<void> {
    this.spawning ??= this.doSpawn();
    return this.spawning;
  }

  private async doSpawn(): Promise<void> {
    const { warm, note } = await takePrewarmed(this.memoryMb, this.start);
    this.prewarmed = note;
    const file = warm ? '' : await workerEntryFile();
    if (this.terminating) {
      void warm?.worker.terminate();
      return this.end({ kind: 'terminated' });
    }
    const w =
      warm?.worker ??
      new Worker(file, {
        workerData: this.start,
        stderr: true,
        resourceLimits: { maxOldGenerationSizeMb: this.memoryMb },
      });
    this.worker = w;
    this.threadId = w.threadId;
    this.events.threads?.add(this);
    if (warm) {
      // a prewarmed thread (prewarm.ts) learns what to run from its first message, unless `run` has sent it
      if (!warm.started) w.postMessage({ type: 'start', start: this.start } satisfies ToWorker);
      void warm.online.then(() => this.resolveOnline());
    } else w.once('online', () => this.resolveOnline());
    w.stderr.on('data', (chunk: Uint8Array) => (this.events.stderr ? this.events.stderr(chunk) : process.stderr.write(chunk)));
    w.on('message', (m: FromWorker) => this.receive(m));
    if (warm) {
      warm.stopBuffering();
      for (const m of warm.early) this.receive(m);
    }
    w.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') this.end({ kind: 'outOfMemory' });
      else this.end({ kind: 'crashed', message: err.message });
    });
    w.on('exit', (code) => this.end(this.terminating ? { kind: 'terminated' } : { kind: 'exited', code }));
  }

  get isSpawned(): boolean {
    return this.spawning !== undefined;
  }

  get isEnded(): boolean {
    return this.ended !== undefined;
  }

  private end(e: ThreadEnd): void {
    if (this.ended) return;
    this.ended = e;
    // a terminated thread's Chromium outlives it for a moment, and its temp files for good; the
    // run awaits the removal before it returns (run-test.ts closeLifecycle)
    if (this.threadId >= 0) void removeThreadBrowserFolderSoon(this.threadId);
    this.events.threads?.delete(this);
    this.resolveExit(e);
    this.resolveOnline();
    // Script code that used up its heap is the script's error (107), like an exception.
    const err = new EngineError(this.describeEnd(e), e.kind === 'outOfMemory' ? ExitCode.ScriptException : ExitCode.GenericEngine);
    for (const p of this.pending) p.reject(err);
    this.pending.clear();
  }

  describeEnd(e: ThreadEnd): string {
    switch (e.kind) {
      case 'terminated':
        return `${this.label}: stopped`;
      case 'outOfMemory':
        return `${this.label}: out of memory: the worker thread reached its ${this.memoryMb} MB heap limit (--worker-memory, AETOS_WORKER_MEMORY)`;
      case 'crashed':
        return `${this.label}: worker thread failed: ${e.message}`;
      case 'exited':
        return `${this.label}: worker thread exited (code ${e.code})`;
    }
  }

  private receive(m: FromWorker): void {
    this.lastHeard = Date.now();
    if (m.type === 'logOnce') return void this.events.logOnce?.(m.key, m.level, m.msg, m.fields);
    if (m.type === 'output') return void this.output(m.to, m.text);
    if (m.type === 'abort') return this.events.abort(m.reason);
    if (m.type === 'fail') return this.events.fail(m.reason);
    for (const l of this.listeners) l(m);
    for (const p of this.pending) {
      if (m.type === 'failed') {
        if (p.of !== m.of) continue;
        this.pending.delete(p);
        p.reject(new EngineError(m.message, m.exitCode as EngineError['exitCode']));
        return;
      }
      if (p.types.includes(m.type) && (m.type !== 'closed' || p.role === m.role)) {
        this.pending.delete(p);
        p.resolve(m);
        return;
      }
    }
  }

  /** A worker's log line: stderr above the progress block (events.stderr), stdout as it is. */
  private output(to: 'stderr' | 'stdout', text: string): void {
    if (to === 'stdout') process.stdout.write(text);
    else if (this.events.stderr) this.events.stderr(Buffer.from(text));
    else process.stderr.write(text);
  }

  send(m: ToWorker): void {
    if (!this.ended && this.worker) this.worker.postMessage(m);
  }

  /** Sends `m` and waits for the first answer of one of `types` (rejects on 'failed' or the thread's end). */
  request<T extends FromWorker['type']>(m: ToWorker | undefined, ...types: T[]): Promise<Extract<FromWorker, { type: T }>> {
    if (this.ended) return Promise.reject(new EngineError(this.describeEnd(this.ended), this.ended.kind === 'outOfMemory' ? ExitCode.ScriptException : ExitCode.GenericEngine));
    const answer = new Promise<FromWorker>((resolve, reject) => this.pending.add({ of: m?.type, role: m?.type === 'close' ? m.role : undefined, types, resolve, reject }));
    if (m) this.send(m);
    return answer as Promise<Extract<FromWorker, { type: T }>>;
  }

  /** Ends the thread now, whatever it runs. */
  async terminate(): Promise<void> {
    this.terminating = true;
    if (!this.worker) return this.end({ kind: 'terminated' });
    if (this.ended) return;
    await this.worker.terminate();
    this.end({ kind: 'terminated' });
  }

  /** Every message, before request matching (ticks, stats, …). */
  listen(fn: (m: FromWorker) => void): void {
    this.listeners.push(fn);
  }

  /** A role starts using the thread. */
  retain(): this {
    this.users++;
    return this;
  }

  /**
   * A role is done with the thread: its VUs close (close hooks, last delta) within `ms`; the thread
   * is terminated once no role uses it.
   */
  async close(role: Role, ms: number): Promise<void> {
    if (this.ended) return;
    if (this.worker) {
      const closed = this.request({ type: 'close', role }, 'closed').catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise((r) => (timer = setTimeout(r, ms)))]);
      clearTimeout(timer);
    }
    if (--this.users <= 0) await this.terminate();
  }
}

/**
 * Runs `work` with a time limit kept by terminating `thread`: resolves with its answer, or rejects
 * with `onTimeout()`'s error once `ms` passed (the thread is then gone), or with `stop`'s reason.
 */
export async function withLimit<T>(thread: WorkerThread, work: Promise<T>, ms: number, onTimeout: () => EngineError, stop?: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onStop: (() => void) | undefined;
  const limit = new Promise<never>((_, reject) => {
    if (ms > 0) {
      timer = setTimeout(() => {
        void thread.terminate();
        reject(onTimeout());
      }, ms);
    }
    if (stop) {
      onStop = () => {
        void thread.terminate();
        reject(stop.reason instanceof Error ? stop.reason : new EngineError('stopped', ExitCode.ExternalAbort));
      };
      if (stop.aborted) onStop();
      else stop.addEventListener('abort', onStop, { once: true });
    }
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
    if (onStop) stop?.removeEventListener('abort', onStop);
    work.catch(() => undefined);
  }
}
