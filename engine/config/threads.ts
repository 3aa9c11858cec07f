/**
 * How many worker threads a run uses and how much heap each may take, by default. Its own small
 * module because `run` starts its first thread before the rest of the engine is loaded
 * (runner/prewarm.ts) and must size it exactly as the run will.
 */
import os from 'node:os';

/** The most worker threads a run uses unasked: the machine's cores. */
export function machineWorkerCount(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * Planned VUs one worker thread holds before a run without --workers adds another. A second
 * thread only pays off when one is busy: on two cores, 5,000 and 10,000 VUs making a request a
 * second reached the same rate and p95 with one thread as with two, while 50 VUs against a fixed
 * 50 ms server measured p99 1.3 ms further from wrk's with two (the threads, the coordinator and the
 * target share the cores) and one thread made 1.13 × autocannon's requests per CPU-second against
 * 0.95 × (bench/RESULTS.md, 2026-12-03). A run that does saturate its threads says so at the end
 * (generator_saturated), with the flag that adds threads.
 */
export const vusPerWorker = 1000;

/**
 * Iterations per second one worker thread starts before a run without --workers adds another: the
 * arrival-rate executors say their demand up front, whatever their VU count. On two cores one
 * thread started 10,000 iterations a second (a request each) as well as two did.
 */
export const iterationsPerWorker = 10_000;

/**
 * Worker threads for a test of `maxVus` planned VUs whose arrival-rate scenarios start at most
 * `peakRate` iterations a second together: --workers N (never more than the VUs, a thread without
 * VUs idles), or one per `vusPerWorker` VUs or `iterationsPerWorker` iterations a second, whichever
 * wants more, up to the machine's cores.
 */
export function planWorkerCount(requested: number | undefined, maxVus: number, peakRate = 0): number {
  const wanted = requested ?? Math.min(machineWorkerCount(), Math.max(Math.ceil(maxVus / vusPerWorker), Math.ceil(peakRate / iterationsPerWorker)));
  return Math.max(1, Math.min(wanted, maxVus));
}

/** Per-thread heap limit: three quarters of the machine's memory shared by the threads, at least 256 MB. */
export function defaultWorkerMemoryMb(threads: number): number {
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  const total = os.totalmem();
  const bytes = constrained && constrained > 0 && constrained < total ? constrained : total;
  return Math.max(256, Math.floor((bytes / 1024 / 1024) * 0.75 / Math.max(1, threads)));
}

/**
 * The heap limit of each of a run's threads: --worker-memory, or the default for the most workers
 * the run may use (--workers, else the cores) and one more. Known before the plan, so the prewarmed
 * thread gets the same limit as the run's.
 */
export function runWorkerMemoryMb(settings: { workerMemoryMb?: number; workers?: number }): number {
  return settings.workerMemoryMb ?? defaultWorkerMemoryMb((settings.workers ?? machineWorkerCount()) + 1);
}
