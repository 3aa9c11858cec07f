import { defineConfig } from 'vitest/config';

// `npm run test:stack` only (test/stack/run.sh brings the stack up first): not part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/stack/**/*.check.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // .ci/run adds these counts to its closing 'N passed, N failed' line
    reporters: ['default', 'json'],
    outputFile: { json: 'node_modules/.cache/aetos-load/vitest-stack.json' },
  },
});
