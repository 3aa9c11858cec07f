import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

// `--help` (or -h) on a benchmark prints its opening comment (its usage line and method) and exits
// instead of running it: some run for twenty minutes under valgrind and start servers, and one
// started that way by mistake left its Postgres schema behind when its output was cut short.
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  const header = /\/\*\*([\s\S]*?)\*\//.exec(readFileSync(process.argv[1], 'utf8'));
  process.stdout.write(`${header ? header[1].replace(/^[ \t]*\* ?/gm, '').trim() : `${process.argv[1]}: no usage written`}\n`);
  process.exit(0);
}

type Flag = number | string | boolean | undefined;
/** What each flag reads as: its default's type; a flag whose default is undefined is text. */
type Read<T extends Record<string, Flag>> = { [K in keyof T]: T[K] extends number ? number : T[K] extends boolean ? boolean : T[K] extends string ? string : string | undefined };

/** One line on stderr and exit 2, before the benchmark has started anything. */
function refuse(why: string): never {
  process.stderr.write(`${basename(process.argv[1] ?? 'bench')}: ${why} (--help prints its usage)\n`);
  process.exit(2);
}

/**
 * A benchmark's flags, read once before it starts anything: `--name VALUE` (or `--name=VALUE`) for
 * a number or text default, `--name` alone for a `false` default. An unknown flag or a number
 * that is not one exits 2 with one line: a typo (`--second 60`) used to run the whole benchmark
 * on its defaults, and `--seconds ten` ran it for NaN seconds.
 */
export function readFlags<T extends Record<string, Flag>>(defaults: T): Read<T> {
  const names = Object.keys(defaults);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(names.map((k) => [k, { type: typeof defaults[k] === 'boolean' ? 'boolean' : 'string' }] as const)),
    }));
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const what = /'([^']+)'/.exec(err.message)?.[1] ?? err.message;
      refuse(`unknown argument ${what}; it takes ${names.map((k) => `--${k}`).join(', ') || 'no flags'}`);
    }
    refuse(err.message.replace(/\n/g, ' '));
  }
  const out: Record<string, Flag> = {};
  for (const k of names) {
    const v = values[k];
    const d = defaults[k];
    if (v === undefined) out[k] = d;
    else if (typeof d === 'number') {
      const n = Number(v);
      if (v === '' || !Number.isFinite(n)) refuse(`--${k} takes a number, not "${v}"`);
      out[k] = n;
    } else out[k] = v;
  }
  return out as Read<T>;
}
