/**
 * The script's `open(path, mode)` (a per-VU global): reads a file in the init context only, as in
 * k6. Relative paths resolve against the folder of the script the user ran (the .ts when run
 * from .ts). Text mode returns a string; 'b' returns an ArrayBuffer (a fresh copy per call, so a
 * VU cannot change another VU's bytes). File contents are cached per process.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { VuContext } from '../types.ts';

const cache = new Map<string, Buffer>();
const openListeners = new Set<(absPath: string) => void>();

/** Calls `fn` with the absolute path of every file open() reads from now on (`aetos-load archive` records them). Returns a stop function. */
export function onFileOpened(fn: (absPath: string) => void): () => void {
  openListeners.add(fn);
  return () => openListeners.delete(fn);
}

export function openFile(vu: VuContext, file: unknown, mode?: unknown): string | ArrayBuffer {
  if (vu.phase !== 'init') throw new Error('open() can be used only in the init context (outside of exported functions)');
  if (typeof file !== 'string' || file === '') throw new TypeError('open(): the path must be a non-empty string');
  if (mode !== undefined && mode !== '' && mode !== 'b' && mode !== 'r') throw new TypeError(`open(): unknown mode "${String(mode)}" (use "b" for binary)`);
  const abs = path.resolve(path.dirname(vu.scriptPath), file.startsWith('file://') ? new URL(file).pathname : file);
  let buf = cache.get(abs);
  if (!buf) {
    try {
      buf = readFileSync(abs);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new Error(e.code === 'ENOENT' ? `open(): no such file: ${abs}` : `open(): cannot read ${abs}: ${e.message}`);
    }
    cache.set(abs, buf);
  }
  for (const fn of openListeners) fn(abs);
  if (mode === 'b') return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return buf.toString('utf8');
}
