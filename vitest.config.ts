import { configDefaults, defineConfig } from 'vitest/config';

// Tests live under test/, mirroring the source tree (test/engine/executors/… for engine/executors/…).
// Suites start real servers on 127.0.0.1; timeouts are generous because this machine has 2 cores.
//
// Three projects, run in this order (sequence.groupOrder), never overlapping:
//   unit       everything outside test/scenarios/, two files at a time (vitest's default on 2 cores
//              is ONE worker, and most unit files wait on timers and sockets, not the CPU; three
//              lanes were tried: the arrival-rate executors' timing tests then fail);
//   e2e-pairs  the quick-profile load runs that leave one core free (≤ 50 VUs, or a fault whose
//              failure is the expected outcome), two at a time: each has its own embedded target,
//              and their latency thresholds hold with 20-50x margin when paired (see the list);
//   e2e-alone  the runs that need the machine to themselves, one at a time in one fork:
//              memory-leak (the target's RSS slope over a 17 s window: where its GC drops fall
//              decides it, so no neighbour shifts it), concurrent-login (scrypt on every request),
//              db-stress (db_query p95 18 ms of 50), readiness (its healthy run judges uptime and
//              recovery over a 500-user stress run; its fault runs are also the e2e tests of stress
//              with a database outage and of memory-leak with a leak; ~2.5 min for the file).
// A new test/scenarios file runs alone unless it is added to `paired`.
const paired = [
  'test/scenarios/light.test.ts',
  'test/scenarios/medium.test.ts',
  'test/scenarios/heavy.test.ts',
  'test/scenarios/upload.test.ts',
  'test/scenarios/db-stress-slow.test.ts',
];

// A quick-profile load run takes ~30 s alone, but its embedded target alone can take over 30 s to
// start on a loaded 2-core machine: each e2e test gets 150 s (run-load.ts kills the run at 140 s).
const e2eTimeoutMs = 150_000;

export default defineConfig({
  test: {
    // no root `include`: with `extends: true` a project's include would be added to it, not replace it
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // 2, not 1: with isolated forks tinypool replaces a finished worker only up to minWorkers and
    // adds more only while queued files outnumber live workers, so with 1 a freed lane sat idle
    // until the other file ended (seen: 20 s of one lane idle in the e2e-pairs group).
    minWorkers: 2,
    // The JSON report lets .ci/run print one plain 'N passed, N failed' line for CI
    // (package.json's test:unit / test:e2e name the file of each run). Never under results/: that
    // folder holds the user's load runs, which the tests must not touch.
    reporters: ['default', 'json'],
    outputFile: { json: 'node_modules/.cache/aetos-load/vitest.json' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/scenarios/**'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'e2e-pairs', include: paired, sequence: { groupOrder: 1 }, testTimeout: e2eTimeoutMs, hookTimeout: e2eTimeoutMs },
      },
      {
        extends: true,
        test: {
          name: 'e2e-alone',
          include: ['test/scenarios/**/*.test.ts'],
          testTimeout: e2eTimeoutMs,
          hookTimeout: e2eTimeoutMs,
          exclude: [...configDefaults.exclude, ...paired],
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
