/**
 * The one way a run writes a file (DESIGN D10): whole or not at all. Every output — --out json/csv,
 * junit, --summary-export, handleSummary's files, the monitor's report, run.json — goes through
 * here:
 *
 * - `writeFileWhole(path, data)`: written to a temporary name beside the target, then renamed over
 *   it, so a full disk or a kill never leaves a truncated file where a good one was.
 * - `BufferedFile`: a streaming file (json/csv) buffered in memory, written at least once a second
 *   (and whenever 64 kB are pending) to its temporary name, gzip-compressed when the name ends in
 *   .gz; `close()` renames it into place.
 * - `checkWritable(path)`: the check an output makes before the test starts (folders created,
 *   a probe file written and removed), so a path that cannot be written is one line and exit 104
 *   before any VU runs.
 *
 * Folders are created one level at a time (`makeDirs`), not with `mkdir -p`: Node's recursive
 * mkdir retries ENOENT forever under /proc (a 60 % CPU loop for `--out json=/proc/x/s.ndjson`).
 */
import { closeSync, createWriteStream, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync, type WriteStream } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Gzip } from 'node:zlib';
import { nodeZlib } from '../lazy-require.ts';

const FLUSH_BYTES = 64 * 1024;

/** An output file that cannot be written; `path` names it. */
export class OutputFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`cannot write ${path}: ${reason}`);
    this.name = 'OutputFileError';
  }
}

function reasonOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code} (${e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')})` : String(e?.message ?? err);
}

/** Creates `dir` and its missing parents, one level at a time; throws on the first that fails. */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  let d = resolve(dir);
  for (;;) {
    try {
      if (statSync(d).isDirectory()) break;
      throw Object.assign(new Error(`${d} is not a folder`), { code: 'ENOTDIR' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    missing.push(d);
    const parent = dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

let tempCounter = 0;
/** A temporary name beside `path`, unique in this process and across processes. */
export function tempNameFor(path: string): string {
  return `${path}.tmp-${process.pid}-${++tempCounter}`;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Writes `data` to `path` whole: folders created, a temporary file written and synced, then renamed into place. */
export function writeFileWhole(path: string, data: string | Uint8Array): void {
  const tmp = tempNameFor(path);
  try {
    makeDirs(dirname(path));
    const fd = openSync(tmp, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    removeQuietly(tmp);
    throw new OutputFileError(path, reasonOf(err));
  }
}

/**
 * Checks, before the test starts, that `path` can be written: its folder is created and a probe
 * file is written and removed there; a folder at `path` itself is refused. Throws OutputFileError.
 */
export function checkWritable(path: string): void {
  try {
    makeDirs(dirname(path));
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      // does not exist yet: fine
    }
    if (isDir) throw Object.assign(new Error('it is a folder'), { code: 'EISDIR' });
    const probe = tempNameFor(path);
    closeSync(openSync(probe, 'w'));
    unlinkSync(probe);
  } catch (err) {
    throw new OutputFileError(path, reasonOf(err));
  }
}

export class BufferedFile {
  private chunks: string[] = [];
  private pending = 0;
  private readonly file: WriteStream;
  private readonly gzip: Gzip | null;
  private readonly timer: NodeJS.Timeout;
  private error: Error | null = null;
  /** Where the bytes go until close() renames them into place. */
  readonly tempPath: string;

  constructor(
    readonly path: string,
    intervalMs = 1000,
  ) {
    try {
      makeDirs(dirname(path));
    } catch (err) {
      throw new OutputFileError(path, reasonOf(err));
    }
    this.tempPath = tempNameFor(path);
    this.file = createWriteStream(this.tempPath);
    this.file.on('error', (err) => (this.error ??= err));
    this.gzip = path.endsWith('.gz') ? nodeZlib().createGzip() : null;
    if (this.gzip) {
      this.gzip.on('error', (err) => (this.error ??= err));
      this.gzip.pipe(this.file);
    }
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  write(text: string): void {
    this.chunks.push(text);
    this.pending += text.length;
    if (this.pending >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.chunks.length === 0 || this.error) return;
    const text = this.chunks.join('');
    this.chunks = [];
    this.pending = 0;
    if (this.gzip) {
      this.gzip.write(text);
      this.gzip.flush();
    } else this.file.write(text);
  }

  /** Writes the rest, closes the temporary file and renames it into place; throws OutputFileError when any write failed. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.flush();
    await new Promise<void>((resolveClose) => {
      if (this.file.closed || this.file.destroyed) return resolveClose();
      this.file.once('close', () => resolveClose());
      if (this.gzip) this.gzip.end();
      else this.file.end();
    });
    if (!this.error) {
      try {
        renameSync(this.tempPath, this.path);
      } catch (err) {
        this.error = err as Error;
      }
    }
    if (this.error) {
      removeQuietly(this.tempPath);
      throw new OutputFileError(this.path, reasonOf(this.error));
    }
  }
}
