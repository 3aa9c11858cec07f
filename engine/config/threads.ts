/**
 * How many worker threads a run uses and how much heap each may take, by default. Its own small
 * module because `run` starts its first thread before the rest of the engine is loaded
 * (runner/prewarm.ts) and must size it exactly as the run will.
 */
import os from 'node:os';

/** Worker threads (one execution segment each) when --workers is not given: the machine's cores. */
export function defaultWorkerCount(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** Per-thread heap limit: three quarters of the machine's memory shared by the threads, at least 256 MB. */
export function defaultWorkerMemoryMb(threads: number): number {
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  const total = os.totalmem();
  const bytes = constrained && constrained > 0 && constrained < total ? constrained : total;
  return Math.max(256, Math.floor((bytes / 1024 / 1024) * 0.75 / Math.max(1, threads)));
}

/** The heap limit of each of a run's threads: --worker-memory, or the default for its workers and one more. */
export function runWorkerMemoryMb(settings: { workerMemoryMb?: number; workers: number }): number {
  return settings.workerMemoryMb ?? defaultWorkerMemoryMb(settings.workers + 1);
}
