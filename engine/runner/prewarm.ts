/**
 * One worker thread started by `run` as soon as the command is known, before it has loaded the
 * rest of its code or read its arguments: a thread's own start-up (Node's per-thread bootstrap,
 * then the engine bundle) then overlaps the main thread's, and the first request of a short test
 * leaves ~80 ms sooner (bench/worker-start.ts).
 *
 * The thread waits for its WorkerStart as its first message (worker-main.ts). The run's first
 * thread takes it when its heap limit is the default one the thread was started with; otherwise, or
 * when no run takes it, it is terminated (unreferenced until taken, so it never holds the process).
 */
import { Worker } from 'node:worker_threads';
import { defaultWorkerCount, defaultWorkerMemoryMb } from '../config/threads.ts';
import { workerEntryFile, workerEntryIn } from './worker-bundle.ts';
import { prewarmedMarker } from './worker-protocol.ts';

export interface WarmWorker {
  worker: Worker;
  /** Resolves when the thread runs JavaScript (its 'online' event may have passed already). */
  online: Promise<void>;
}

interface Warm extends WarmWorker {
  memoryMb: number;
  ended: boolean;
  onEnd(): void;
}

let warm: Promise<Warm | undefined> | undefined;

/**
 * Starts the spare thread (once). The memory limit is the run's default: cores + 1 threads.
 * `bundleDir`: start it on that bundle's worker entry at once rather than on the checked bundle's
 * (bin/aetos-load.js passes the last build while the check runs).
 */
export function prewarmWorker(bundleDir?: string): void {
  if (warm) return;
  const memoryMb = defaultWorkerMemoryMb(defaultWorkerCount() + 1);
  warm = (bundleDir !== undefined ? Promise.resolve(workerEntryIn(bundleDir)) : workerEntryFile()).then(
    (file) => {
      const worker = new Worker(file, { workerData: prewarmedMarker, stderr: true, resourceLimits: { maxOldGenerationSizeMb: memoryMb } });
      worker.unref();
      const w: Warm = {
        worker,
        memoryMb,
        ended: false,
        online: new Promise<void>((resolve) => worker.once('online', resolve)),
        onEnd: () => (w.ended = true),
      };
      // a thread that fails before it is taken is simply not used
      worker.on('error', w.onEnd).on('exit', w.onEnd);
      return w;
    },
    () => undefined, // the run reports a bundle failure itself when it starts its threads
  );
}

/** Stops the spare thread unused (it was started on a bundle the check found out of date). */
export function dropPrewarmed(): void {
  const pending = warm;
  warm = undefined;
  void pending?.then((w) => w?.worker.terminate());
}

/**
 * The prewarmed thread, if one was started, is still alive and has this heap limit; `note` says
 * what became of it (for --verbose).
 */
export async function takePrewarmed(memoryMb: number): Promise<{ warm?: WarmWorker; note: string }> {
  const pending = warm;
  warm = undefined;
  const w = await pending;
  if (!w) return { note: 'none was started' };
  w.worker.off('error', w.onEnd).off('exit', w.onEnd);
  if (w.ended || w.memoryMb !== memoryMb) {
    void w.worker.terminate();
    return { note: w.ended ? 'dropped: it had ended' : `dropped: its heap limit is ${w.memoryMb} MB, the run's ${memoryMb} MB` };
  }
  w.worker.ref();
  return { warm: w, note: 'taken' };
}
