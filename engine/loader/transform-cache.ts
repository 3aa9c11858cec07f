/**
 * The script transform (transform.ts), remembered on disk: every thread of a run transforms the
 * same script, and so does every run of an unchanged script. A miss costs a worker thread ~35 ms
 * before its first request on a 2-core host (loading acorn and magic-string, ~20 ms, then their
 * first, unoptimised run over the script); a hit is a hash, a small file read and a JSON.parse.
 * transform.ts and its parser are loaded only on a miss.
 *
 * A result is keyed by the script's text, the transform options and the transformer itself: the
 * size and mtime of every file of engine/loader and the versions of acorn and magic-string, so an
 * edit of the transform is never answered from the cache. The file name is a 64-bit FNV-1a hash of
 * that input, and the entry holds the input itself, which a read compares: a hit is exact without
 * node:crypto, which would cost every worker thread ~6 ms of start-up. Syntax errors are not cached (they are
 * reported from a fresh transform). Entries live in node_modules/.cache/aetos-load/transforms
 * beside the engine bundle; the oldest go past 500 entries. Where the folder cannot be written,
 * every run transforms as before.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TransformOptions, TransformResult } from './transform.ts';

const loaderDir = import.meta.dirname;
const cacheDir = path.join(loaderDir, '..', '..', 'node_modules', '.cache', 'aetos-load', 'transforms');
const maxEntries = 500;

let transformerId: string | undefined;

/** What decides a transform's output besides its input: the loader's sources and the parser's version. */
function transformer(): string {
  if (transformerId !== undefined) return transformerId;
  const parts: string[] = [];
  for (const name of readdirSync(loaderDir).sort()) {
    if (!name.endsWith('.ts')) continue;
    const s = statSync(path.join(loaderDir, name));
    parts.push(`${name}:${s.size}:${s.mtimeMs}`);
  }
  for (const pkg of ['acorn', 'magic-string']) parts.push(`${pkg}@${packageVersion(pkg)}`);
  transformerId = parts.join('\n');
  return transformerId;
}

/**
 * The version of the package transform.ts imports as `pkg`: its package.json in the nearest
 * node_modules above this folder, where Node's resolution finds it. Read directly because a
 * `require.resolve` in a fresh worker thread costs ~10 ms of its start-up (Node's CommonJS loader
 * and the package's exports map), and every thread computes this key.
 */
function packageVersion(pkg: string): string {
  for (let dir = loaderDir; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'node_modules', pkg, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    if (path.dirname(dir) === dir) throw new Error(`${pkg} is not installed above ${loaderDir}`);
  }
}

/** What a result depends on, whole: the transformer, the options and the script. */
function inputOf(code: string, opts: TransformOptions): string {
  return `${transformer()}\0${JSON.stringify(opts)}\0${code}`;
}

/** Two 32-bit FNV-1a hashes (different offset bases) of the string's UTF-16 units, as 16 hex digits. */
function fnv1a64(s: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** Where a result is cached: its whole input (compared on read) and the file named by its hash. */
interface Key {
  input: string;
  file: string;
}

/** The key of `code`'s result; undefined when the loader's own files are not where they were built from: no cache. */
function keyOf(code: string, opts: TransformOptions): Key | undefined {
  let input: string;
  try {
    input = inputOf(code, opts);
  } catch {
    return undefined;
  }
  return { input, file: path.join(cacheDir, `${fnv1a64(input)}.json`) };
}

/** An entry: the input it was made from (compared on every read) and the result. */
interface Entry {
  input: string;
  result: TransformResult;
}

function read({ input, file }: Key): TransformResult | undefined {
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as Entry;
    // another input with the same hash (or an entry from before the input was kept): a miss
    return entry.input === input ? entry.result : undefined;
  } catch {
    return undefined; // absent, or half a file from a crashed writer: transform again
  }
}

function write({ input, file }: Key, result: TransformResult): void {
  try {
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    const entry: Entry = { input, result };
    writeFileSync(tmp, JSON.stringify(entry));
    renameSync(tmp, file);
    prune();
  } catch {
    // a read-only checkout: no cache
  }
}

/** Keeps the newest `maxEntries` results. */
function prune(): void {
  const names = readdirSync(cacheDir).filter((n) => n.endsWith('.json'));
  if (names.length <= maxEntries) return;
  const aged = names.map((n) => ({ n, t: statSync(path.join(cacheDir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0 })).sort((a, b) => a.t - b.t);
  for (const { n } of aged.slice(0, names.length - maxEntries)) rmSync(path.join(cacheDir, n), { force: true });
}

/** The file that holds (or would hold) the result for `code`; undefined when there can be no cache. */
export function transformCacheFile(code: string, opts: TransformOptions): string | undefined {
  return keyOf(code, opts)?.file;
}

/** transformScript's result for `code`, from the cache when the same transformer made it before. */
export async function transformCached(code: string, opts: TransformOptions): Promise<TransformResult> {
  const key = keyOf(code, opts);
  const hit = key === undefined ? undefined : read(key);
  if (hit !== undefined) return hit;
  const { transformScript } = await import('./transform.ts');
  const result = transformScript(code, opts); // throws ScriptSyntaxError: not cached
  if (key !== undefined) write(key, result);
  return result;
}
