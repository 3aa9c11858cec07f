/**
 * The runner: `aetos-load run`'s run lifecycle (run-test.ts) and the D8 hand-off to k6
 * (k6-binary.ts). The command line that drives it is cli/run.ts.
 */
export { runOnK6, findK6 } from './k6-binary.ts';
