/**
 * The local servers the conformance scripts talk to, all on 127.0.0.1: HTTP (an HTML pick list
 * with a form, a form echo, a digest-protected page) with a WebSocket chat on the same port, and
 * a gRPC stock service. A sentinel HTTP server counts the connections it accepts, so a blocked request is proven unsent.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { WebSocketServer } from 'ws';

export interface Conformance {
  http: string;
  ws: string;
  grpc: string;
  /** A server no conformance script may reach (the blocklist script aims at it). */
  sentinel: string;
  sentinelConnections(): number;
  close(): Promise<void>;
}

const PAGE = `<!doctype html><html><head><title>Pick list</title></head><body>
<table data-warehouse="7"><tr class="line"><td>A-1</td><td>3</td></tr><tr class="line"><td>B-2</td><td>1</td></tr><tr class="line"><td>C-3</td><td>9</td></tr></table>
<form action="/pick" method="post"><input name="picker" value="ada"><select name="zone"><option>A</option><option selected>B</option></select></form>
<a class="next" href="/page?p=2">Next page</a></body></html>`;

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function digestOk(header: string | undefined, method: string, url: string): boolean {
  if (!header?.startsWith('Digest ')) return false;
  const c = Object.fromEntries([...header.matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)].map((m) => [m[1], m[2] ?? m[3]]));
  const ha1 = md5('picker:wms:secret');
  return c.uri === url && c.response === md5(`${ha1}:abc123:${c.nc}:${c.cnonce}:auth:${md5(`${method}:${url}`)}`);
}

export async function startConformanceServers(): Promise<Conformance> {
  let sentinelConnections = 0;
  const sentinel = http.createServer((_req, res) => res.end('should never be reached'));
  sentinel.on('connection', () => sentinelConnections++);
  await new Promise<void>((r) => sentinel.listen(0, '127.0.0.1', r));
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/page')) return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    if (req.url === '/pick' && req.method === 'POST') {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(Object.fromEntries(new URLSearchParams(body)))));
      return;
    }
    if (req.url === '/digest') {
      if (digestOk(req.headers.authorization, req.method ?? 'GET', req.url)) return res.end('ok');
      return res.writeHead(401, { 'www-authenticate': 'Digest realm="wms", qop="auth", nonce="abc123"' }).end();
    }
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server, path: '/chat' });
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { event: string };
      if (m.event === 'join') ws.send(JSON.stringify({ event: 'joined' }));
      if (m.event === 'say') ws.send(JSON.stringify({ event: 'said' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  const def = protoLoader.loadSync(path.join(import.meta.dirname, 'protos/stock.proto'));
  const pkg = grpc.loadPackageDefinition(def) as unknown as { stock: { Stock: { service: grpc.ServiceDefinition } } };
  const g = new grpc.Server();
  g.addService(pkg.stock.Stock.service, {
    GetItem(call: grpc.ServerUnaryCall<{ sku: string }, unknown>, cb: grpc.sendUnaryData<unknown>) {
      if (call.request.sku === 'nope') return cb({ code: grpc.status.NOT_FOUND, details: 'no such item' });
      cb(null, { sku: call.request.sku, qty: 7 });
    },
    ListItems(call: grpc.ServerWritableStream<{ sku: string }, unknown>) {
      call.write({ sku: `${call.request.sku}-1`, qty: 1 });
      call.write({ sku: `${call.request.sku}-2`, qty: 2 });
      call.end();
    },
  });
  const gport = await new Promise<number>((res, rej) => g.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));

  return {
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    grpc: `127.0.0.1:${gport}`,
    sentinel: `http://127.0.0.1:${(sentinel.address() as AddressInfo).port}`,
    sentinelConnections: () => sentinelConnections,
    async close() {
      g.forceShutdown();
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      sentinel.closeAllConnections();
      await new Promise((r) => sentinel.close(r));
    },
  };
}
