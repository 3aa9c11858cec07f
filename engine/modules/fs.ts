/**
 * `k6/experimental/fs`: `await open(path)` (init context only, as in k6) → File with `stat()`,
 * `read(Uint8Array)` (bytes read, or null at the end) and `seek(offset, SeekMode)`. A file's bytes
 * are read once per process and shared by every VU; each File keeps its own offset.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModuleFactory, VuContext } from '../types.ts';
import { moduleExports } from './module-exports.ts';

export const SeekMode = Object.freeze({ Start: 0, Current: 1, End: 2 });

const cache = new Map<string, Promise<Buffer>>();

export class File {
  private offset = 0;
  constructor(
    readonly path: string,
    /** The shared bytes (never written). */
    readonly bytes: Buffer,
  ) {}

  async stat(): Promise<{ name: string; size: number }> {
    return { name: path.basename(this.path), size: this.bytes.length };
  }
  async read(into: unknown): Promise<number | null> {
    if (!(into instanceof Uint8Array)) throw new TypeError('File.read: the buffer must be a Uint8Array');
    if (this.offset >= this.bytes.length) return null;
    const n = this.bytes.copy(into, 0, this.offset, Math.min(this.bytes.length, this.offset + into.length));
    this.offset += n;
    return n;
  }
  async seek(offset: unknown, whence: unknown = SeekMode.Start): Promise<number> {
    const off = Number(offset);
    if (!Number.isInteger(off)) throw new TypeError('File.seek: the offset must be an integer');
    const base = whence === SeekMode.Start ? 0 : whence === SeekMode.Current ? this.offset : whence === SeekMode.End ? this.bytes.length : NaN;
    if (Number.isNaN(base)) throw new TypeError('File.seek: whence must be SeekMode.Start, SeekMode.Current or SeekMode.End');
    const to = base + off;
    if (to < 0) throw new RangeError(`File.seek: the resulting offset ${to} is negative`);
    this.offset = to;
    return to;
  }
}

export async function openFile(vu: VuContext, file: unknown): Promise<File> {
  if (vu.phase !== 'init') throw new Error('fs.open() can be used only in the init context, as in k6');
  if (typeof file !== 'string' || file === '') throw new TypeError('fs.open: the path must be a non-empty string');
  const abs = path.resolve(path.dirname(vu.scriptPath), file);
  let p = cache.get(abs);
  if (!p) {
    p = readFile(abs);
    cache.set(abs, p);
    p.catch(() => cache.delete(abs));
  }
  try {
    return new File(abs, await p);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(e.code === 'ENOENT' ? `fs.open: no such file: ${abs}` : e.code === 'EISDIR' ? `fs.open: ${abs} is a directory` : `fs.open: cannot read ${abs}: ${e.message}`);
  }
}

export const fsModule: ModuleFactory = (vu) => {
  const mod = { open: (file: unknown) => openFile(vu, file), SeekMode, File };
  return moduleExports(mod);
};
