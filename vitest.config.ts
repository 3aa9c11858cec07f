import { defineConfig } from 'vitest/config';

// Tests live under test/, mirroring the source tree (test/engine/executors/… for engine/executors/…).
// Suites start real servers on 127.0.0.1; timeouts are generous because this machine has 2 cores.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The JSON report lets .ci/run print one plain 'N passed, N failed' line for CI
    // (package.json's test:unit / test:e2e name the file of each run).
    reporters: ['default', 'json'],
    outputFile: { json: 'results/vitest.json' },
  },
});
