/**
 * k6/net/grpc on @grpc/grpc-js, run as real scripts through the loader and a real VU against
 * gRPC servers on 127.0.0.1 started here: plaintext with server reflection, and TLS with a
 * self-signed certificate made for the test. Unary (blocking and async), all three streaming
 * kinds, metadata, status codes, protoset loading, and the grpc_* metrics.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { GrpcReflection } from 'grpc-js-reflection-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTH_PROTO } from '../../../engine/modules/grpc/client.ts';
import { harness } from '../vu/harness.ts';

const PROTO = `syntax = "proto3";
package wms;
service Stock {
  rpc GetItem (ItemRequest) returns (Item);
  rpc ListItems (ItemRequest) returns (stream Item);
  rpc AddItems (stream Item) returns (Summary);
  rpc Chat (stream Item) returns (stream Item);
}
message ItemRequest { string sku = 1; int64 min_qty = 2; }
message Item { string sku = 1; int64 qty = 2; }
message Summary { int32 count = 1; int64 total = 2; }
`;

let dir = '';
const servers: grpc.Server[] = [];
let plainAddr = '';
let tlsAddr = '';

function stockService(): grpc.UntypedServiceImplementation {
  return {
    GetItem(call: grpc.ServerUnaryCall<any, any>, cb: grpc.sendUnaryData<any>) {
      const trace = call.metadata.get('x-trace')[0];
      if (call.request.sku === 'missing') return cb({ code: grpc.status.NOT_FOUND, details: `no item ${call.request.sku}` });
      const trailer = new grpc.Metadata();
      trailer.set('x-served-by', 'stock-1');
      trailer.set('x-authority', call.getHost());
      if (trace) trailer.set('x-trace', String(trace));
      cb(null, { sku: call.request.sku, qty: 7 }, trailer);
    },
    ListItems(call: grpc.ServerWritableStream<any, any>) {
      for (let i = 1; i <= 3; i++) call.write({ sku: `${call.request.sku}-${i}`, qty: i });
      call.end();
    },
    AddItems(call: grpc.ServerReadableStream<any, any>, cb: grpc.sendUnaryData<any>) {
      let count = 0;
      let total = 0;
      call.on('data', (it: { qty: string }) => {
        count++;
        total += Number(it.qty);
      });
      call.on('end', () => cb(null, { count, total }));
    },
    Chat(call: grpc.ServerDuplexStream<any, any>) {
      call.on('data', (it: { sku: string; qty: string }) => call.write({ sku: it.sku.toUpperCase(), qty: Number(it.qty) * 2 }));
      call.on('end', () => call.end());
    },
  };
}

async function start(creds: grpc.ServerCredentials, reflect: boolean): Promise<string> {
  const def = protoLoader.loadSync(path.join(dir, 'stock.proto'));
  const pkg = grpc.loadPackageDefinition(def) as any;
  const server = new grpc.Server();
  server.addService(pkg.wms.Stock.service, stockService());
  if (reflect) new ReflectionService(def).addToServer(server);
  // the standard health service, from the same JSON descriptor the module uses
  const health = grpc.loadPackageDefinition(protoLoader.fromJSON(HEALTH_PROTO as Parameters<typeof protoLoader.fromJSON>[0])) as any;
  server.addService(health.grpc.health.v1.Health.service, {
    Check(call: grpc.ServerUnaryCall<any, any>, cb: grpc.sendUnaryData<any>) {
      if (call.request.service === 'wms.Stock' || call.request.service === '') return cb(null, { status: 'SERVING' });
      if (call.request.service === 'wms.Down') return cb(null, { status: 'NOT_SERVING' });
      cb({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
    },
  });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', creds, (e, p) => (e ? rej(e) : res(p))));
  servers.push(server);
  return `127.0.0.1:${port}`;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'k6-grpc-'));
  writeFileSync(path.join(dir, 'stock.proto'), PROTO);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  plainAddr = await start(grpc.ServerCredentials.createInsecure(), true);
  tlsAddr = await start(
    grpc.ServerCredentials.createSsl(null, [{ private_key: readFileSync(path.join(dir, 'key.pem')), cert_chain: readFileSync(path.join(dir, 'cert.pem')) }]),
    false,
  );
  // a protoset (FileDescriptorSet), fetched through reflection as a user would export one
  const r = new GrpcReflection(plainAddr, grpc.credentials.createInsecure());
  writeFileSync(path.join(dir, 'stock.protoset'), (await r.getDescriptorBySymbol('wms.Stock')).getDescriptorBuffer());
});

afterAll(async () => {
  for (const s of servers) s.forceShutdown();
  rmSync(dir, { recursive: true, force: true });
});

function script(name: string, body: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, body);
  return file;
}

describe('k6/net/grpc', () => {
  it('load + connect (plaintext) + invoke: message, metadata, status codes, grpc_req_duration', async () => {
    const h = await harness(
      script(
        'unary.js',
        `import grpc from 'k6/net/grpc';
import { check } from 'k6';
const client = new grpc.Client();
client.load([], 'stock.proto');
export default function () {
  client.connect(__ENV.ADDR, { plaintext: true });
  const ok = client.invoke('wms.Stock/GetItem', { sku: 'A1', minQty: 2 }, { metadata: { 'x-trace': 't-1' }, tags: { flow: 'f' } });
  const missing = client.invoke('/wms.Stock/GetItem', { sku: 'missing' });
  const health = [client.healthCheck(), client.healthCheck('wms.Down'), client.healthCheck('nope')];
  check(health, {
    'serving': (h) => h[0].message.status === grpc.HealthCheckServing,
    'not serving': (h) => h[1].message.status === grpc.HealthCheckNotServing,
    'unknown service': (h) => h[2].status === grpc.StatusNotFound,
  });
  client.connect(__ENV.ADDR, { plaintext: true, authority: 'stock.wms.test' });
  console.log(client.invoke('wms.Stock/GetItem', { sku: 'Z' }).trailers['x-authority'][0]);
  check(ok, { 'status OK': (r) => r.status === grpc.StatusOK, 'qty': (r) => r.message.qty === '7' });
  console.log(JSON.stringify({ msg: ok.message, trailers: ok.trailers, missing: missing.status === grpc.StatusNotFound, err: missing.error }));
  client.close();
}`,
      ),
    );
    const vu = await h.vu(1, { ADDR: plainAddr });
    expect(await h.iterate(vu, 1)).toEqual(['completed']);
    expect(h.rec.errors).toEqual([]);
    expect(h.rec.console[0]).toBe('stock.wms.test');
    const out = JSON.parse(h.rec.console[1] as string);
    expect(out.msg).toEqual({ sku: 'A1', qty: '7' }); // protojson: int64 as a string
    expect(out.trailers['x-served-by']).toEqual(['stock-1']);
    expect(out.trailers['x-trace']).toEqual(['t-1']);
    expect(out.missing).toBe(true);
    expect(out.err).toEqual({ code: 5, message: 'no item missing', details: [] });
    expect(h.rec.of('checks').map((s) => s.value)).toEqual([1, 1, 1, 1, 1]);
    const d = h.rec.of('grpc_req_duration');
    expect(d).toHaveLength(6);
    expect(d[0]?.tags).toMatchObject({ name: '/wms.Stock/GetItem', method: '/wms.Stock/GetItem', status: '0', rpc_type: 'unary', flow: 'f', url: `grpc://${plainAddr}/wms.Stock/GetItem` });
    expect(d[1]?.tags.status).toBe('5');
  });

  it('reflection and protoset instead of .proto files; asyncInvoke; an unknown method is a clear error', async () => {
    const h = await harness(
      script(
        'reflect.js',
        `import grpc from 'k6/net/grpc';
const viaSet = new grpc.Client();
viaSet.loadProtoset('stock.protoset');
const viaReflection = new grpc.Client();
export default async function () {
  viaReflection.connect(__ENV.ADDR, { plaintext: true, reflect: true });
  viaSet.connect(__ENV.ADDR, { plaintext: true });
  const a = viaReflection.invoke('wms.Stock/GetItem', { sku: 'R' });
  const b = await viaSet.asyncInvoke('wms.Stock/GetItem', { sku: 'S' });
  console.log(a.message.sku + b.message.sku);
  viaSet.invoke('wms.Stock/Nope', {});
}`,
      ),
    );
    const vu = await h.vu(1, { ADDR: plainAddr });
    expect(await h.iterate(vu, 1)).toEqual(['completed']); // a thrown iteration still counts as completed (k6; issue 13)
    expect(h.rec.console).toEqual(['RS']);
    expect(h.rec.errors.join('\n')).toContain('client.invoke: method "wms.Stock/Nope" not found');
  });

  it('TLS with the test CA; an untrusted certificate fails to connect', async () => {
    writeFileSync(path.join(dir, 'ca.pem'), readFileSync(path.join(dir, 'cert.pem')));
    const h = await harness(
      script(
        'tls.js',
        `import grpc from 'k6/net/grpc';
const ca = open('ca.pem');
const client = new grpc.Client();
client.load(['.'], 'stock.proto');
export default function () {
  client.connect(__ENV.ADDR, { tls: { cacerts: [ca] } });
  console.log(client.invoke('wms.Stock/GetItem', { sku: 'T' }).message.sku);
}
export function untrusted() {
  const c = new grpc.Client();
  c.connect(__ENV.ADDR, { timeout: '1s' });
}`,
      ),
    );
    // `open` and `client.load` resolve against the script's folder
    const vu = await h.vu(1, { ADDR: tlsAddr });
    expect(await h.iterate(vu, 1)).toEqual(['completed']);
    expect(h.rec.console).toEqual(['T']);
    expect(await h.iterate(vu, 1, { exec: 'untrusted' })).toEqual(['completed']); // a thrown iteration still counts as completed (k6; issue 13)
    expect(h.rec.errors.join('\n')).toMatch(/client\.connect: cannot connect to 127\.0\.0\.1:\d+/);
  });

  it('blacklistIPs / blockHostnames refuse the connect before the channel is made', async () => {
    const h = await harness(
      script(
        'blocked.js',
        `import grpc from 'k6/net/grpc';
const client = new grpc.Client();
client.load([], 'stock.proto');
export function ip() { client.connect(__ENV.ADDR, { plaintext: true }); }
export function name() { client.connect('stock.blocked.test:50051', { plaintext: true }); }`,
      ),
    );
    const vu = await h.vu(1, { ADDR: plainAddr }, { blacklistIPs: ['127.0.0.0/8'], blockHostnames: ['*.blocked.test'] });
    expect(await h.iterate(vu, 1, { exec: 'ip' })).toEqual(['completed']); // a thrown iteration still counts as completed (k6; issue 13)
    expect(await h.iterate(vu, 1, { exec: 'name' })).toEqual(['completed']); // a thrown iteration still counts as completed (k6; issue 13)
    expect(h.rec.errors.join('\n')).toContain('client.connect: IP (127.0.0.1) is in a blacklisted range (127.0.0.0/8)');
    expect(h.rec.errors.join('\n')).toContain('client.connect: hostname (stock.blocked.test) is in a blocked pattern (*.blocked.test)');
  });

  it('server, client and bidi streams: data/error/end events, write, end; grpc_streams metrics; the iteration waits for end', async () => {
    const h = await harness(
      script(
        'streams.js',
        `import grpc from 'k6/net/grpc';
const client = new grpc.Client();
client.load([], 'stock.proto');
export default function () {
  client.connect(__ENV.ADDR, { plaintext: true });
  const got = [];
  const server = new grpc.Stream(client, 'wms.Stock/ListItems');
  server.on('data', (it) => got.push('list:' + it.sku));
  server.on('end', () => got.push('list-end'));
  server.write({ sku: 'B' });
  server.end();

  const up = new grpc.Stream(client, 'wms.Stock/AddItems');
  up.on('data', (s) => got.push('sum:' + s.count + '/' + s.total));
  up.write({ sku: 'x', qty: 2 });
  up.write({ sku: 'y', qty: 5 });
  up.end();

  const chat = new grpc.Stream(client, 'wms.Stock/Chat', { tags: { kind: 'chat' } });
  chat.on('data', (it) => { got.push('chat:' + it.sku + it.qty); if (it.sku === 'Q') chat.end(); });
  chat.on('end', () => console.log(JSON.stringify(got.sort())));
  chat.write({ sku: 'p', qty: 1 });
  chat.write({ sku: 'q', qty: 3 });
}`,
      ),
    );
    const vu = await h.vu(1, { ADDR: plainAddr });
    expect(await h.iterate(vu, 1)).toEqual(['completed']);
    expect(h.rec.errors).toEqual([]);
    expect(JSON.parse(h.rec.console[0] as string)).toEqual(['chat:P2', 'chat:Q6', 'list-end', 'list:B-1', 'list:B-2', 'list:B-3', 'sum:2/7'].sort());
    expect(h.rec.of('grpc_streams')).toHaveLength(3);
    expect(h.rec.of('grpc_streams').map((s) => s.tags.rpc_type).sort()).toEqual(['bidi', 'client_streaming', 'server_streaming']);
    expect(h.rec.of('grpc_streams_msgs_sent')).toHaveLength(5);
    expect(h.rec.of('grpc_streams_msgs_received')).toHaveLength(6);
  });

  it('data_sent / data_received carry the bytes of unary calls and streams, as a TCP proxy in front of the server counts them', async () => {
    // the fixture's own count: every byte between the VU and the server passes this proxy
    const seen = { up: 0, down: 0 };
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(plainAddr.split(':')[1]), '127.0.0.1');
      client.on('data', (b) => {
        seen.up += b.length;
        upstream.write(b);
      });
      upstream.on('data', (b) => {
        seen.down += b.length;
        client.write(b);
      });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('error', () => {});
      upstream.on('error', () => {});
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyAddr = `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    try {
      const h = await harness(
        script(
          'bytes.js',
          `import grpc from 'k6/net/grpc';
const client = new grpc.Client();
client.load([], 'stock.proto');
const big = 'x'.repeat(20000);
export function unary() {
  client.connect(__ENV.ADDR, { plaintext: true });
  const r = client.invoke('wms.Stock/GetItem', { sku: big });
  console.log(String(r.message.sku.length));
}
export function stream() {
  const chat = new grpc.Stream(client, 'wms.Stock/Chat');
  chat.on('data', () => {});
  chat.write({ sku: big, qty: 1 });
  chat.write({ sku: big, qty: 2 });
  chat.end();
}
export function done() { client.close(); }`,
        ),
      );
      const vu = await h.vu(1, { ADDR: proxyAddr });
      const sum = (name: string) => h.rec.of(name).reduce((a, s) => a + s.value, 0);
      expect(await h.iterate(vu, 1, { exec: 'unary' })).toEqual(['completed']);
      expect(h.rec.console).toEqual(['20000']);
      // the request carried 20 000 bytes of sku, the reply the same back
      const unarySent = sum('data_sent');
      const unaryReceived = sum('data_received');
      expect(unarySent).toBeGreaterThan(20_000);
      expect(unaryReceived).toBeGreaterThan(20_000);
      expect(await h.iterate(vu, 1, { exec: 'stream' })).toEqual(['completed']);
      expect(h.rec.errors).toEqual([]);
      expect(sum('data_sent') - unarySent).toBeGreaterThan(40_000);
      expect(sum('data_received') - unaryReceived).toBeGreaterThan(40_000);
      expect(await h.iterate(vu, 1, { exec: 'done' })).toEqual(['completed']);
      await vu.close();
      // every byte the proxy passed was counted and nothing else, but for the HTTP/2 control frames
      // (GOAWAY and its answer) that cross after the VU has closed its client
      const deadline = Date.now() + 10_000;
      while ((seen.up < sum('data_sent') || seen.down < sum('data_received')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(seen.up - sum('data_sent')).toBeGreaterThanOrEqual(0);
      expect(seen.up - sum('data_sent')).toBeLessThan(256);
      expect(seen.down - sum('data_received')).toBeGreaterThanOrEqual(0);
      expect(seen.down - sum('data_received')).toBeLessThan(256);
      // data_sent/data_received carry only the VU's tags, as k6's (no gRPC method or url)
      expect(h.rec.of('data_sent')[0]?.tags.url).toBeUndefined();
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });
});
