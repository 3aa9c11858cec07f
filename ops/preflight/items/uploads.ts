/**
 * "Check upload limits": a file just under the configured limit is accepted and one just over
 * answers 413, sent as the service's clients send them (multipart, logged in as the test user).
 * The bodies are generated while sending, never held in memory whole. When the upload folder is
 * configured (`uploads.dir`, readable from here), the rejected upload must not leave a file in it.
 */
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { joinUrl, jsonBody, probe } from '../../shared/http-probe.ts';
import { item, type PreflightItem } from '../types.ts';

export interface UploadOptions {
  url: string;
  path?: string;
  limitMb: number;
  field?: string;
  dir?: string;
  user: string;
  password: string;
  timeoutMs: number;
}

/** How far under and over the limit the two files are: the multipart framing stays outside it. */
export const MARGIN_BYTES = 1024;

export interface UploadAnswer {
  status: number;
  error?: string;
}

/** POSTs one multipart file of `size` bytes; a 413 answered before the body is sent counts as the answer. */
export function sendUpload(url: string, headers: Record<string, string>, field: string, filename: string, size: number, timeoutMs: number): Promise<UploadAnswer> {
  const boundary = `aetos-preflight-${randomUUID()}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let answered: UploadAnswer | undefined;
    const done = (a: UploadAnswer) => {
      if (answered) return;
      answered = a;
      clearTimeout(timer);
      resolve(a);
    };
    const req = lib.request(u, { method: 'POST', headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + size + tail.length) } }, (res) => {
      res.resume();
      res.on('end', () => done({ status: res.statusCode ?? 0 }));
      res.on('error', () => done({ status: res.statusCode ?? 0 }));
    });
    const timer = setTimeout(() => {
      req.destroy();
      done({ status: 0, error: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    // the server may answer 413 and close while we still send: the answer is what counts
    req.on('error', (err) => setTimeout(() => done({ status: 0, error: err.message }), 200));
    let left = size;
    const pump = () => {
      if (answered) return;
      if (left === 0) return void req.end(tail);
      const n = Math.min(left, chunk.length);
      left -= n;
      if (req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) setImmediate(pump);
      else req.once('drain', pump);
    };
    req.write(head);
    pump();
  });
}

const listDir = (dir: string) => readdir(dir).then((f) => new Set(f), () => undefined);

export async function uploadsItem(o: UploadOptions): Promise<PreflightItem> {
  const name = 'Upload limits';
  const limit = Math.floor(o.limitMb * 1024 * 1024);
  const target = joinUrl(o.url, o.path ?? '/api/uploads');
  const login = await probe(joinUrl(o.url, '/api/auth/login'), { method: 'POST', body: { username: o.user, password: o.password }, timeoutMs: o.timeoutMs });
  const token = login.status === 200 ? jsonBody<{ token?: string }>(login)?.token : undefined;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const field = o.field ?? 'file';
  const id = randomUUID().slice(0, 8);

  const under = await sendUpload(target, headers, field, `aetos-preflight-${id}-under.bin`, limit - MARGIN_BYTES, o.timeoutMs);
  const before = o.dir ? await listDir(o.dir) : undefined;
  const over = await sendUpload(target, headers, field, `aetos-preflight-${id}-over.bin`, limit + MARGIN_BYTES, o.timeoutMs);
  const after = o.dir ? await listDir(o.dir) : undefined;
  const measured = { underStatus: under.status, overStatus: over.status, limitBytes: limit };
  const mb = `${o.limitMb} MB`;
  const say = (a: UploadAnswer) => (a.status ? `HTTP ${a.status}` : a.error ?? 'no answer');
  if (under.status < 200 || under.status >= 300) return item('uploads', name, 'fail', `${limit - MARGIN_BYTES} bytes (just under ${mb}) was refused: ${say(under)}${token ? '' : ' (login as the test user failed)'}`, measured);
  if (over.status !== 413) return item('uploads', name, 'fail', `${limit + MARGIN_BYTES} bytes (just over ${mb}) answered ${say(over)}, not 413`, measured);
  if (o.dir && (!before || !after)) return item('uploads', name, 'warn', `limit holds (${say(under)} under, 413 over), but uploads.dir ${o.dir} cannot be read`, measured);
  const left = after && before ? [...after].filter((f) => !before.has(f)) : [];
  if (left.length) return item('uploads', name, 'warn', `limit holds, but the rejected upload left ${left.length} file(s) in ${o.dir}: ${left.slice(0, 3).join(', ')}`, measured);
  return item('uploads', name, 'pass', `just under ${mb}: ${say(under)}; just over: 413${o.dir ? `; nothing left in ${o.dir}` : ''}`, measured);
}
