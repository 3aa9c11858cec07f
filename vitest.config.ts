import { configDefaults, defineConfig } from 'vitest/config';

// Tests live under test/, mirroring the source tree (test/engine/executors/… for engine/executors/…).
// Suites start real servers on 127.0.0.1; timeouts are generous because this machine has 2 cores.
//
// Two projects, run in this order (sequence.groupOrder; npm test runs test:unit then test:e2e):
//   unit  everything outside test/scenarios/, two files at a time (vitest's default on 2 cores is
//         ONE worker, and most unit files wait on timers and sockets, not the CPU). Three at a
//         time took 318-343 s instead of 380 s on a quiet 2-core host, but beside a CPU hog it
//         failed in 2 of 3 runs (a V8 crash while a target started; a leak test, with a change
//         since reverted). Timing tests compare against their own fixture's clock or run on a
//         virtual one (the executors), so a busy machine slows them down but does not fail them;
//   e2e   the quick-profile load runs, one file at a time in one fork (each needs the machine: 500
//         VUs in stress, scrypt on every login, the target's RSS slope over a 17 s window,
//         heavy's cached p95 under 200 ms): readiness.test.ts runs every scenario once against
//         its own embedded target (the healthy e2e test of each scenario), readiness-faults.test.ts
//         the faults each metric must catch (stress with a database outage, memory-leak with a
//         leak, errors, latency) on a target of its own, db-stress-slow.test.ts the slow-query
//         fault. ~5 min for the project. Tried two files at a time (~3 min): beside a CPU hog the
//         healthy run's heavy scenario then crossed its cached p(95) < 200 ms.

// A quick-profile load run takes ~30 s alone, but its embedded target alone can take over 30 s to
// start on a loaded 2-core machine: each e2e test gets 150 s unless it says otherwise (run-load.ts
// kills the run at 140 s; the whole-profile readiness run sets its own, longer limits).
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
    // until the other file ended (seen: 20 s of one lane idle).
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
        test: {
          name: 'e2e',
          include: ['test/scenarios/**/*.test.ts'],
          testTimeout: e2eTimeoutMs,
          hookTimeout: e2eTimeoutMs,
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
