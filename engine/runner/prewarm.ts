/**
 * One worker thread started by `run` as soon as the command is known, before it has loaded the
 * rest of its code or read its arguments: a thread's own start-up (Node's per-thread bootstrap,
 * then the engine bundle) then overlaps the main thread's, and the first request of a short test
 * leaves ~80 ms sooner (bench/worker-start.ts).
 *
 * The thread waits for its WorkerStart as its first message (worker-main.ts). The run's first
 * thread takes it when its heap limit is the default one the thread was started with; otherwise, or
 * when no run takes it, it is terminated (unreferenced until taken, so it never holds the process).
 *
 * Two copies of this module run in one process: bin/aetos-load.js starts the thread through a
 * CommonJS build of it (`prewarm.cjs` in the bundle folder, loaded before Node's ES module loader
 * starts), and the run takes it through the ES bundle's copy. The pending thread is therefore kept
 * on `globalThis`, under a registered symbol both copies name.
 */
import { isDeepStrictEqual } from 'node:util';
import { Worker } from 'node:worker_threads';
import { runWorkerMemoryMb } from '../config/threads.ts';
import { workerEntryIn } from './worker-entry.ts';
import { prewarmedMarker } from './worker-protocol.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';
import type { WorkerStart } from './worker-start.ts';

export interface WarmWorker {
  worker: Worker;
  /** Resolves when the thread runs JavaScript (its 'online' event may have passed already). */
  online: Promise<void>;
  /**
   * Set when `run` told the thread what to run before it was taken (startPrewarmed): the taker's
   * WorkerStart, already posted. The messages the thread sent since then wait in `early`, for the
   * taker to read before its own listener's first.
   */
  started?: WorkerStart;
  early: FromWorker[];
  /** Stops buffering into `early` (the taker listens itself from now on). */
  stopBuffering(): void;
}

interface Warm extends WarmWorker {
  memoryMb: number;
  ended: boolean;
  onEnd(): void;
}

const slot = Symbol.for('aetos-load.prewarmed-thread');
const shared = globalThis as { [slot]?: Promise<Warm | undefined> };

/**
 * Starts the spare thread (once) on the worker entry of `bundleDir`: a bundle folder, or the
 * checked bundle's (a promise; it may reject, and then no thread is started). bin/aetos-load.js
 * passes the last build while the check runs. The memory limit is the run's default: the most
 * threads it may use (the cores) and one more.
 */
export function prewarmWorker(bundleDir: string | Promise<string>): void {
  if (shared[slot]) return;
  // a folder known now: the thread starts now, not a microtask later (bin loads ES modules next)
  shared[slot] =
    typeof bundleDir === 'string'
      ? Promise.resolve(start(bundleDir))
      : bundleDir.then(start, () => undefined); // the run reports a bundle failure itself when it starts its threads
}

function start(bundleDir: string): Warm {
  const memoryMb = runWorkerMemoryMb({});
  const worker = new Worker(workerEntryIn(bundleDir), { workerData: prewarmedMarker, stderr: true, resourceLimits: { maxOldGenerationSizeMb: memoryMb } });
  const buffer = (m: FromWorker) => w.early.push(m);
  const w: Warm = {
    worker,
    memoryMb,
    ended: false,
    online: new Promise<void>((resolve) => worker.once('online', resolve)),
    onEnd: () => (w.ended = true),
    early: [],
    stopBuffering: () => void worker.off('message', buffer),
  };
  // a Worker's messages are events: one sent before anyone listens would be lost. Listened to
  // before unref(): a 'message' listener added to an unreferenced Worker references it again.
  worker.on('message', buffer);
  worker.unref();
  // a thread that fails before it is taken is simply not used
  worker.on('error', w.onEnd).on('exit', w.onEnd);
  return w;
}

/**
 * Tells the spare thread what to run as soon as `run` knows (cli/run.ts, right after its
 * arguments): the thread loads and compiles the script while the main thread loads the runner,
 * instead of after. The run's first thread takes it if that thread's WorkerStart is the same;
 * otherwise it is dropped like one on another heap limit.
 */
export function startPrewarmed(start: WorkerStart, memoryMb: number): void {
  const pending = shared[slot];
  if (!pending) return;
  shared[slot] = pending.then((w) => {
    if (w && !w.ended && !w.started && w.memoryMb === memoryMb) {
      w.started = start;
      w.worker.postMessage({ type: 'start', start } satisfies ToWorker);
    }
    return w;
  });
}

/** Stops the spare thread unused (it was started on a bundle the check found out of date). */
export function dropPrewarmed(): void {
  const pending = shared[slot];
  shared[slot] = undefined;
  void pending?.then((w) => w?.worker.terminate());
}

/**
 * The prewarmed thread, if one was started, is still alive, has this heap limit and was told to
 * run `start` or nothing yet; `note` says what became of it (for --verbose).
 */
export async function takePrewarmed(memoryMb: number, start: WorkerStart): Promise<{ warm?: WarmWorker; note: string }> {
  const pending = shared[slot];
  shared[slot] = undefined;
  const w = await pending;
  if (!w) return { note: 'none was started' };
  w.worker.off('error', w.onEnd).off('exit', w.onEnd);
  const drop = w.ended
    ? 'it had ended'
    : w.memoryMb !== memoryMb
      ? `its heap limit is ${w.memoryMb} MB, the run's ${memoryMb} MB`
      : w.started && !isDeepStrictEqual(w.started, start)
        ? 'it was started on another script or log setting'
        : undefined;
  if (drop) {
    w.stopBuffering();
    void w.worker.terminate();
    return { note: `dropped: ${drop}` };
  }
  w.worker.ref();
  return { warm: w, note: w.started ? 'taken, told what to run as the command was read' : 'taken' };
}
