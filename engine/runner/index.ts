/**
 * The runner: `aetos-load run`'s run lifecycle (run-test.ts), its CLI (cli.ts) and the D8 hand-off
 * to k6 (k6-binary.ts). Embedders call `main(argv, io)`; it returns the exit code.
 */
export { main } from './cli.ts';
export type { RunIo } from './cli.ts';
export { runOnK6, findK6 } from './k6-binary.ts';
