/**
 * "Verify logging": one probe request carrying a unique id (in its query string and as
 * X-Request-Id) must show up in the service's log — a file (read from where it ended before the
 * probe) or a command's output (`docker logs --since 1m api`, `journalctl -u aetos -n 500`) — as a
 * structured (JSON) line. Found as plain text: warn. Not found within `waitMs`: fail.
 */
import { randomUUID } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { joinUrl, probe } from '../../shared/http-probe.ts';
import { item, type PreflightItem } from '../types.ts';
import { runShell } from './shell.ts';

export interface LoggingOptions {
  url: string;
  file?: string;
  command?: string;
  /** How long to wait for the line (loggers buffer), ms. Default 5000. */
  waitMs?: number;
  timeoutMs: number;
}

async function readFrom(file: string, offset: number): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const start = size < offset ? 0 : offset; // rotated meanwhile: the new file from its start
    const buf = Buffer.alloc(Math.min(size - start, 16 * 1024 * 1024));
    const { bytesRead } = await fh.read(buf, 0, buf.length, start);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** The log line carrying `id`, and whether it is one JSON object. */
export function findProbeLine(text: string, id: string): { line: string; structured: boolean } | undefined {
  const line = text.split('\n').find((l) => l.includes(id));
  if (line === undefined) return undefined;
  try {
    const v = JSON.parse(line.trim()) as unknown;
    return { line, structured: typeof v === 'object' && v !== null };
  } catch {
    return { line, structured: false };
  }
}

export async function loggingItem(o: LoggingOptions): Promise<PreflightItem> {
  const name = 'Logging';
  if (!o.file && !o.command) return item('logging', name, 'not configured', 'no logging.file or logging.command in the config file');
  const source = o.file ?? `"${o.command}"`;
  const offset = o.file ? await stat(o.file).then((s) => s.size, () => 0) : 0;
  const id = `aetos-preflight-${randomUUID()}`;
  const res = await probe(joinUrl(o.url, `/api/health?preflight=${id}`), { headers: { 'x-request-id': id }, timeoutMs: o.timeoutMs });
  if (!res.reached) return item('logging', name, 'fail', `the probe request failed: ${res.error}`);
  const until = Date.now() + (o.waitMs ?? 5000);
  let lastError = '';
  for (;;) {
    let text = '';
    if (o.file) text = await readFrom(o.file, offset).catch((e: Error) => ((lastError = e.message), ''));
    else {
      const r = await runShell(o.command as string, o.timeoutMs);
      text = r.stdout;
      if (!r.ok) lastError = r.error ?? '';
    }
    const found = findProbeLine(text, id);
    if (found?.structured) return item('logging', name, 'pass', `probe ${id.slice(-12)} found in ${source} as a JSON line`);
    if (found) return item('logging', name, 'warn', `probe found in ${source}, but not structured (not one JSON object per line)`);
    if (Date.now() >= until) return item('logging', name, 'fail', `probe ${id} not found in ${source} within ${((o.waitMs ?? 5000) / 1000).toFixed(0)} s${lastError ? ` (${lastError})` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
