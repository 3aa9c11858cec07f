/**
 * A buffered text file for streaming outputs: lines are collected in memory and written at least
 * once a second (and whenever 64 kB are pending), gzip-compressed when the name ends in .gz,
 * folders created. `close()` writes the rest and waits for the file to be complete.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';

const FLUSH_BYTES = 64 * 1024;

export class BufferedFile {
  private chunks: string[] = [];
  private pending = 0;
  private readonly file: WriteStream;
  private readonly gzip: Gzip | null;
  private readonly timer: NodeJS.Timeout;
  private error: Error | null = null;

  constructor(
    readonly path: string,
    intervalMs = 1000,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.file = createWriteStream(path);
    this.file.on('error', (err) => (this.error ??= err));
    this.gzip = path.endsWith('.gz') ? createGzip() : null;
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
    if (this.chunks.length === 0) return;
    const text = this.chunks.join('');
    this.chunks = [];
    this.pending = 0;
    if (this.gzip) {
      this.gzip.write(text);
      this.gzip.flush();
    } else this.file.write(text);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.flush();
    await new Promise<void>((resolve) => {
      this.file.once('close', () => resolve());
      if (this.gzip) this.gzip.end();
      else this.file.end();
    });
    if (this.error) throw new Error(`could not write ${this.path}: ${this.error.message}`);
  }
}
