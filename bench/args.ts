import { readFileSync } from 'node:fs';

// `--help` (or -h) on a benchmark prints its opening comment (its usage line and method) and exits
// instead of running it: some run for twenty minutes under valgrind and start servers, and one
// started that way by mistake left its Postgres schema behind when its output was cut short.
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  const header = /\/\*\*([\s\S]*?)\*\//.exec(readFileSync(process.argv[1], 'utf8'));
  process.stdout.write(`${header ? header[1].replace(/^[ \t]*\* ?/gm, '').trim() : `${process.argv[1]}: no usage written`}\n`);
  process.exit(0);
}

/** The benchmarks' numeric flags: `--name VALUE` from the command line, or `def` when absent. */
export function numberFlag(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

/** The benchmarks' text flags: `--name VALUE` from the command line, or `def` when absent. */
export function stringFlag<D extends string | undefined>(name: string, def: D): string | D {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? def) : def;
}
