/**
 * Follows a log file by byte offset and counts the new error lines since the last read (the
 * guide's "error logs increasing"). Starts at the end of the file (only new lines count),
 * starts over when the file shrinks (rotated or truncated), keeps a partial last line for the
 * next read, and tolerates the file not existing yet.
 * An error line: JSON with `"level"` ≥ 50 (pino error/fatal) or "error"/"fatal"; logfmt
 * `level=error`; or a plain line with a standalone ERROR / FATAL word.
 */
import { open, stat } from 'node:fs/promises';

export interface TailRead {
  newLines: number;
  newErrors: number;
  /** Up to 5 of the new error lines, trimmed to 300 characters. */
  errorLines: string[];
}

export function isErrorLine(line: string): boolean {
  const t = line.trim();
  if (!t) return false;
  if (t.startsWith('{')) {
    try {
      const o = JSON.parse(t) as { level?: unknown; severity?: unknown };
      const lvl = o.level ?? o.severity;
      if (typeof lvl === 'number') return lvl >= 50;
      if (typeof lvl === 'string') return /^(error|fatal|critical|crit|emerg|alert)$/i.test(lvl);
      return false;
    } catch {
      // not JSON after all: judge it as text
    }
  }
  if (/\blevel=("?)(error|fatal|critical)\1(\s|$)/i.test(t)) return true;
  return /(^|[\s[(])(ERROR|FATAL)([\s\]):]|$)/.test(t);
}

export class LogTail {
  private offset = -1;
  private partial = '';

  constructor(readonly file: string) {}

  /** Sets the starting point at the current end of the file (0 when it does not exist). */
  async start(): Promise<void> {
    this.offset = await stat(this.file).then((s) => s.size, () => 0);
  }

  async read(maxBytes = 8 * 1024 * 1024): Promise<TailRead> {
    if (this.offset < 0) await this.start();
    const out: TailRead = { newLines: 0, newErrors: 0, errorLines: [] };
    let size: number;
    try {
      size = (await stat(this.file)).size;
    } catch {
      return out;
    }
    if (size < this.offset) {
      this.offset = 0; // rotated or truncated: read the new file from its start
      this.partial = '';
    }
    if (size === this.offset) return out;
    const start = Math.max(this.offset, size - maxBytes); // a huge burst: read the most recent part
    const fh = await open(this.file, 'r');
    let text: string;
    try {
      const buf = Buffer.alloc(size - start);
      const { bytesRead } = await fh.read(buf, 0, buf.length, start);
      text = buf.subarray(0, bytesRead).toString('utf8');
      this.offset = start + bytesRead;
    } finally {
      await fh.close();
    }
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      out.newLines++;
      if (isErrorLine(line)) {
        out.newErrors++;
        if (out.errorLines.length < 5) out.errorLines.push(line.trim().slice(0, 300));
      }
    }
    return out;
  }
}
