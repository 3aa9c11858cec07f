/**
 * A real HTTP/1.1 fixture server on 127.0.0.1 for the k6/http tests: echo, status codes,
 * cookies, redirects, compressed and binary bodies, timed and hanging responses, a multipart
 * upload that hashes the file part, basic auth, a decoder of compressed request bodies. It counts the TCP connections it accepted.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { brotliCompressSync, brotliDecompressSync, deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';

export interface Fixture {
  url: string;
  port: number;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Most /concurrent requests in flight at once since the last reset. */
  maxConcurrent(): number;
  resetConcurrent(): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Extracts the parts of a multipart/form-data body. */
function parseMultipart(body: Buffer, contentType: string): { name: string; filename?: string; type?: string; data: Buffer }[] {
  const m = /boundary=([^;]+)/.exec(contentType);
  if (!m) return [];
  const delim = Buffer.from(`--${m[1]}`);
  const parts: { name: string; filename?: string; type?: string; data: Buffer }[] = [];
  let pos = body.indexOf(delim);
  while (pos >= 0) {
    const start = pos + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const headEnd = body.indexOf('\r\n\r\n', start);
    const head = body.subarray(start + 2, headEnd).toString();
    const next = body.indexOf(delim, headEnd);
    const data = body.subarray(headEnd + 4, next - 2);
    const name = /name="([^"]*)"/.exec(head)?.[1] ?? '';
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    const type = /Content-Type: (.*)/i.exec(head)?.[1]?.trim();
    parts.push({ name, filename, type, data });
    pos = next;
  }
  return parts;
}

export async function startFixture(): Promise<Fixture> {
  let connections = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const sockets = new Set<Socket>();
  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const p = u.pathname;
    try {
      if (p === '/echo') {
        const body = await readBody(req);
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            method: req.method,
            url: req.url,
            headers: req.headers,
            body: body.toString('latin1'),
            length: body.length,
            sha256: createHash('sha256').update(body).digest('hex'),
          }),
        );
      } else if (p === '/decode') {
        // Decodes a compressed request body as RFC 9110 says: Content-Encoding lists the codings
        // in the order they were applied, so they are undone from the last one back.
        let body = await readBody(req);
        const codings = String(req.headers['content-encoding'] ?? '').split(',').map((c) => c.trim()).filter(Boolean);
        for (const c of [...codings].reverse())
          body = c === 'gzip' ? gunzipSync(body) : c === 'deflate' ? inflateSync(body) : c === 'br' ? brotliDecompressSync(body) : body;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ codings, text: body.toString() }));
      } else if (p.startsWith('/status/')) {
        res.statusCode = Number(p.slice(8));
        res.end(`status ${res.statusCode}`);
      } else if (p === '/set-cookie') {
        res.setHeader(
          'set-cookie',
          [...u.searchParams].map(([k, v]) => `${k}=${v}; Path=/; HttpOnly`),
        );
        res.end('ok');
      } else if (p.startsWith('/redirect/')) {
        const n = Number(p.slice(10));
        res.statusCode = Number(u.searchParams.get('code') ?? 302);
        if (u.searchParams.has('cookie')) res.setHeader('set-cookie', `hop${n}=v${n}; Path=/`);
        const qs = u.search;
        res.setHeader('location', n > 1 ? `/redirect/${n - 1}${qs}` : '/echo');
        res.end();
      } else if (p === '/multi-header') {
        res.setHeader('x-multi', ['a', 'b']);
        res.end('ok');
      } else if (p === '/gzip' || p === '/deflate' || p === '/br') {
        const text = Buffer.from('compressed hello '.repeat(50));
        const enc = p.slice(1);
        const data = enc === 'gzip' ? gzipSync(text) : enc === 'deflate' ? deflateSync(text) : brotliCompressSync(text);
        res.setHeader('content-encoding', enc);
        res.end(data);
      } else if (p === '/binary') {
        const b = Buffer.alloc(256);
        for (let i = 0; i < 256; i++) b[i] = i;
        res.setHeader('content-type', 'application/octet-stream');
        res.end(b);
      } else if (p === '/timed') {
        // 50 ms before the headers, then the body streamed over 20 ms. The last chunk reports
        // the delays the server really produced (timers fire late on a busy machine).
        const arrived = performance.now();
        await sleep(Number(u.searchParams.get('wait') ?? 50));
        const headersAt = performance.now();
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first;');
        const stream = Number(u.searchParams.get('stream') ?? 20);
        await sleep(stream / 2);
        res.write('second;');
        await sleep(stream / 2);
        res.end(`last|${JSON.stringify({ wait: headersAt - arrived, stream: performance.now() - headersAt })}`);
      } else if (p === '/delay') {
        await sleep(Number(u.searchParams.get('ms') ?? 50));
        res.end('late');
      } else if (p === '/concurrent') {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(Number(u.searchParams.get('ms') ?? 30));
        inFlight--;
        res.end(u.searchParams.get('id') ?? '');
      } else if (p === '/hang') {
        // never answers; the client's timeout must end it
      } else if (p === '/upload') {
        const body = await readBody(req);
        const parts = parseMultipart(body, String(req.headers['content-type']));
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            contentLength: req.headers['content-length'],
            parts: parts.map((x) => ({
              name: x.name,
              filename: x.filename,
              type: x.type,
              size: x.data.length,
              sha256: createHash('sha256').update(x.data).digest('hex'),
              text: x.data.length < 200 ? x.data.toString() : undefined,
            })),
          }),
        );
      } else if (p === '/basic-auth') {
        const want = `Basic ${Buffer.from('user:p@ss').toString('base64')}`;
        res.statusCode = req.headers.authorization === want ? 200 : 401;
        res.end(res.statusCode === 200 ? 'authorized' : 'denied');
      } else if (p === '/json') {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            user: { name: 'ada', 'first.name': 'Ada' },
            items: [
              { id: 1, tag: 'a', price: 5 },
              { id: 2, tag: 'b', price: 15 },
              { id: 3, tag: 'c', price: 25 },
            ],
          }),
        );
      } else {
        res.statusCode = 404;
        res.end('not found');
      }
    } catch (e) {
      res.statusCode = 500;
      res.end(String(e));
    }
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: () => connections,
    maxConcurrent: () => maxInFlight,
    resetConcurrent: () => {
      maxInFlight = 0;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
