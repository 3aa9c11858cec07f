/**
 * `k6/experimental/csv` on csv-parse: `await csv.parse(file, options)` → all records (parsed once
 * per process per file and options, frozen and shared by every VU, like a SharedArray), and
 * `new csv.Parser(file, options)` whose `await parser.next()` yields `{ done, value }` one record
 * at a time. Options as k6: `delimiter` (','), `skipFirstLine`, `fromLine`, `toLine` (0-based,
 * inclusive), `asObjects` (the first line names the fields).
 */
import { parse as parseSync } from 'csv-parse/sync';
import type { ModuleFactory } from '../types.ts';
import { File } from './fs.ts';
import { moduleExports } from './module-exports.ts';

interface CsvOptions {
  delimiter: string;
  skipFirstLine: boolean;
  fromLine: number | null;
  toLine: number | null;
  asObjects: boolean;
}

function optionsOf(raw: unknown, fn: string): CsvOptions {
  const o = (raw ?? {}) as Record<string, unknown>;
  if (typeof o !== 'object') throw new TypeError(`${fn}: options must be an object`);
  const line = (v: unknown, name: string) => {
    if (v === undefined || v === null) return null;
    if (!Number.isInteger(v) || (v as number) < 0) throw new TypeError(`${fn}: options.${name} must be a non-negative integer`);
    return v as number;
  };
  const delimiter = o.delimiter === undefined ? ',' : String(o.delimiter);
  if (delimiter.length !== 1) throw new TypeError(`${fn}: options.delimiter must be one character`);
  const r: CsvOptions = { delimiter, skipFirstLine: o.skipFirstLine === true, fromLine: line(o.fromLine, 'fromLine'), toLine: line(o.toLine, 'toLine'), asObjects: o.asObjects === true };
  if (r.fromLine !== null && r.toLine !== null && r.toLine < r.fromLine) throw new RangeError(`${fn}: options.toLine (${r.toLine}) is before fromLine (${r.fromLine})`);
  return r;
}

function records(file: unknown, opts: CsvOptions, fn: string): unknown[] {
  if (!(file instanceof File)) throw new TypeError(`${fn}: the first argument must be a File from k6/experimental/fs open()`);
  let rows: string[][];
  try {
    rows = parseSync(file.bytes, { delimiter: opts.delimiter, relax_column_count: true, bom: true }) as string[][];
  } catch (err) {
    throw new Error(`${fn}: ${file.path}: ${(err as Error).message}`);
  }
  let header: string[] | null = null;
  if (opts.asObjects) header = rows.shift() ?? [];
  let start = opts.skipFirstLine && !opts.asObjects ? 1 : 0;
  if (opts.fromLine !== null) start = Math.max(start, opts.fromLine - (header ? 1 : 0));
  const end = opts.toLine === null ? rows.length : opts.toLine + 1 - (header ? 1 : 0);
  const picked = rows.slice(start, end);
  if (!header) return picked;
  const h = header;
  return picked.map((r) => Object.fromEntries(h.map((k, i) => [k, r[i] ?? ''])));
}

const parsed = new Map<string, readonly unknown[]>();

async function parse(file: unknown, options?: unknown): Promise<readonly unknown[]> {
  const opts = optionsOf(options, 'csv.parse');
  const key = `${file instanceof File ? file.path : ''}\0${JSON.stringify(opts)}`;
  let out = parsed.get(key);
  if (!out) {
    out = Object.freeze(records(file, opts, 'csv.parse').map((r) => Object.freeze(r)));
    parsed.set(key, out);
  }
  return out;
}

class Parser {
  private readonly rows: unknown[];
  private i = 0;
  constructor(file: unknown, options?: unknown) {
    this.rows = records(file, optionsOf(options, 'csv.Parser'), 'csv.Parser');
  }
  async next(): Promise<{ done: boolean; value: unknown }> {
    if (this.i >= this.rows.length) return { done: true, value: undefined };
    return { done: false, value: this.rows[this.i++] };
  }
}

const mod = { parse, Parser };
export const csvModule: ModuleFactory = () => moduleExports(mod);
