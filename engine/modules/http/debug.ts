/**
 * k6's `httpDebug` option (`--http-debug`, `--http-debug=full`): logs each hop's request and
 * response as HTTP/1.1 text at info level; with "full" the bodies too. Off by default, and
 * costs nothing then.
 */
import type { Logger } from '../../log.ts';
import { canonicalHeaderName } from './headers.ts';

export type HttpDebug = '' | 'headers' | 'full';

export function httpDebugMode(v: unknown): HttpDebug {
  if (v === undefined || v === null || v === false || v === '') return '';
  return v === 'full' ? 'full' : 'headers';
}

function truncate(s: string, max = 8192): string {
  return s.length > max ? `${s.slice(0, max)}…(${s.length - max} more bytes)` : s;
}

export function logRequest(log: Logger, mode: HttpDebug, method: string, url: string, headers: string[], body: () => string): void {
  const u = new URL(url);
  let text = `${method} ${u.pathname}${u.search} HTTP/1.1\nHost: ${u.host}\n`;
  for (let i = 0; i < headers.length; i += 2) text += `${canonicalHeaderName(headers[i]!)}: ${headers[i + 1]}\n`;
  if (mode === 'full') text += `\n${truncate(body())}`;
  log.info(`Request:\n${text}`);
}

export function logResponse(
  log: Logger,
  mode: HttpDebug,
  statusLine: string,
  headers: Record<string, string>,
  body: string | ArrayBuffer | null,
): void {
  let text = `HTTP/1.1 ${statusLine}\n`;
  for (const [k, v] of Object.entries(headers)) text += `${k}: ${v}\n`;
  if (mode === 'full' && body !== null) text += `\n${truncate(typeof body === 'string' ? body : `<${body.byteLength} bytes of binary data>`)}`;
  log.info(`Response:\n${text}`);
}
