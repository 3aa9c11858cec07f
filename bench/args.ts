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
