/**
 * The script transform (transform.ts), remembered on disk: every thread of a run transforms the
 * same script, and so does every run of an unchanged script. A miss costs a worker thread ~35 ms
 * before its first request on a 2-core host (loading acorn and magic-string, ~20 ms, then their
 * first, unoptimised run over the script); a hit is a hash, a small file read and a JSON.parse.
 * transform.ts and its parser are loaded only on a miss.
 *
 * A result is keyed by the script's text, the transform options and the transformer itself: the
 * size and mtime of every file of engine/loader and the versions of acorn and magic-string, so an
 * edit of the transform is never answered from the cache. Syntax errors are not cached (they are
 * reported from a fresh transform). Entries live in node_modules/.cache/aetos-load/transforms
 * beside the engine bundle; the oldest go past 500 entries. Where the folder cannot be written,
 * every run transforms as before.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
  const req = createRequire(path.join(loaderDir, 'transform.ts'));
  for (const pkg of ['acorn', 'magic-string']) parts.push(`${pkg}@${(req(`${pkg}/package.json`) as { version: string }).version}`);
  transformerId = parts.join('\n');
  return transformerId;
}

function keyOf(code: string, opts: TransformOptions): string {
  return createHash('sha256').update(transformer()).update('\0').update(JSON.stringify(opts)).update('\0').update(code).digest('hex');
}

function read(file: string): TransformResult | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as TransformResult;
  } catch {
    return undefined; // absent, or half a file from a crashed writer: transform again
  }
}

function write(file: string, result: TransformResult): void {
  try {
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, JSON.stringify(result));
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
  try {
    return path.join(cacheDir, `${keyOf(code, opts)}.json`);
  } catch {
    return undefined; // the loader's own files are not where they were built from: no cache
  }
}

/** transformScript's result for `code`, from the cache when the same transformer made it before. */
export async function transformCached(code: string, opts: TransformOptions): Promise<TransformResult> {
  const file = transformCacheFile(code, opts);
  const hit = file === undefined ? undefined : read(file);
  if (hit !== undefined) return hit;
  const { transformScript } = await import('./transform.ts');
  const result = transformScript(code, opts); // throws ScriptSyntaxError: not cached
  if (file !== undefined) write(file, result);
  return result;
}
