// How many worker threads a run uses (engine/config/threads.ts): --workers N capped by the VUs, or
// unasked one thread per vusPerWorker planned VUs up to the cores; and the heap limit that the
// prewarmed thread and the run compute alike.
import { describe, expect, it } from 'vitest';
import { defaultWorkerMemoryMb, iterationsPerWorker, machineWorkerCount, planWorkerCount, runWorkerMemoryMb, vusPerWorker } from '../../../engine/config/threads.ts';

describe('planWorkerCount', () => {
  const cores = machineWorkerCount();
  it('--workers N: N threads, never more than the VUs', () => {
    expect(planWorkerCount(3, 100)).toBe(3);
    expect(planWorkerCount(3, 2)).toBe(2);
    expect(planWorkerCount(8, 100_000)).toBe(8); // asked for: more than the cores is the user's call
    expect(planWorkerCount(4, 0)).toBe(1);
  });
  it('unasked: one thread per vusPerWorker VUs, at least one, at most the cores', () => {
    expect(vusPerWorker).toBe(1000);
    expect(planWorkerCount(undefined, 1)).toBe(1);
    expect(planWorkerCount(undefined, 50)).toBe(1);
    expect(planWorkerCount(undefined, 1000)).toBe(1);
    expect(planWorkerCount(undefined, 1001)).toBe(Math.min(2, cores));
    expect(planWorkerCount(undefined, 10_000_000)).toBe(cores);
    expect(planWorkerCount(undefined, 0)).toBe(1);
  });
  it('unasked: one thread per iterationsPerWorker iterations a second an arrival rate plans, whichever of the two wants more', () => {
    expect(iterationsPerWorker).toBe(10_000);
    expect(planWorkerCount(undefined, 50, 10_000)).toBe(1);
    expect(planWorkerCount(undefined, 50, 10_001)).toBe(Math.min(2, cores));
    expect(planWorkerCount(undefined, 2, 1e9)).toBe(Math.min(2, cores)); // never more threads than VUs
    expect(planWorkerCount(1, 50, 1e9)).toBe(1); // --workers wins
  });
});

describe('runWorkerMemoryMb', () => {
  it('--worker-memory wins; else the memory is shared by the most threads the run may use and the coordinator', () => {
    expect(runWorkerMemoryMb({ workerMemoryMb: 300 })).toBe(300);
    expect(runWorkerMemoryMb({ workers: 3 })).toBe(defaultWorkerMemoryMb(4));
    expect(runWorkerMemoryMb({})).toBe(defaultWorkerMemoryMb(machineWorkerCount() + 1));
  });
});
