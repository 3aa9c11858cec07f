import { configDefaults, defineConfig } from 'vitest/config';

// Tests live under test/, mirroring the source tree (test/engine/executors/… for engine/executors/…).
// Suites start real servers on 127.0.0.1; timeouts are generous because this machine has 2 cores.
//
// Two projects, run in this order (sequence.groupOrder; npm test runs test:unit then test:e2e):
//   unit  every file but one, three at a time (vitest's default on 2 cores is ONE worker, and most
//         files wait on timers, sockets and child processes, not the CPU: 360 s with two at a
//         time, 324 s with three, on a quiet 2-core host). Timing tests compare against their own
//         fixture's clock or run on a virtual one (the executors), so a busy machine slows them
//         but does not fail them. This includes test/scenarios/readiness-faults.test.ts, the
//         quick-profile runs with a fault each metric must catch (stress with a database outage,
//         memory-leak with a leak, errors, latency, db-stress's slow queries): their verdicts
//         only get clearer on a busy machine, and they fill lanes the short files leave idle;
//   e2e   test/scenarios/readiness.test.ts alone in one fork: the healthy whole quick profile (every
//         scenario against one embedded target) must pass, and heavy's cached p(95) < 200 ms and
//         the target's RSS slope need the machine to themselves (beside the fault runs and a CPU
//         hog, heavy once crossed its p95). ~2.6 min.

export default defineConfig({
  test: {
    // no root `include`: with `extends: true` a project's include would be added to it, not replace it
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Every target the tests spawn (the target CLI, spawnTarget, load's embedded one) inherits this:
    // no 503 for the event loop's delay, which measures the host, not the target. Beside a CPU
    // hog with three files at a time, a freshly started target had no delay sample for a whole
    // 2 s interval (under-pressure reads that as Infinity) and refused a login. The tests of
    // back-pressure set their own limits; in-process targets get the same from hostIndependent
    // (test/wms/helpers.ts).
    env: { MAX_EVENT_LOOP_DELAY_MS: '0' },
    pool: 'forks',
    maxWorkers: 3,
    // = maxWorkers: with isolated forks tinypool replaces a finished worker only up to minWorkers
    // and adds more only while queued files outnumber live workers, so with fewer a freed lane sat
    // idle until another file ended (seen: 20 s of one lane idle).
    minWorkers: 3,
    // The JSON report lets .ci/run print one plain 'N passed, N failed' line for CI
    // (package.json's test:unit / test:e2e name the file of each run). Never under results/: that
    // folder holds the user's load runs, which the tests must not touch.
    reporters: ['default', 'json'],
    outputFile: { json: 'node_modules/.cache/aetos-load/vitest.json' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/scenarios/readiness.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/scenarios/readiness.test.ts'],
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
