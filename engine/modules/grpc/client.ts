/**
 * k6/net/grpc's Client and Stream on @grpc/grpc-js. Method definitions come from .proto files
 * (@grpc/proto-loader, `load`), a binary FileDescriptorSet (`loadProtoset`) or server reflection
 * (grpc-js-reflection-client, `connect(addr, { reflect: true })`). Messages are plain objects
 * in protobuf's JSON mapping, as k6 gives them (lowerCamelCase names, 64-bit integers and
 * enums as strings, bytes as base64, unset fields left out).
 */
import { performance } from 'node:perf_hooks';
import dns from 'node:dns';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { Tags, VuContext } from '../../types.ts';
import { blocklistOf } from '../http/blocklist.ts';
import { parseDurationMs } from '../http/duration.ts';
import { DataCounter } from '../http/metrics.ts';
import { CountingCredentials, WireBytes } from './wire-bytes.ts';

/** protojson's shape (what k6 hands scripts). */
const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: String, enums: String, bytes: String, defaults: false, oneofs: true };

interface MethodDef {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestSerialize: (v: unknown) => Buffer;
  responseDeserialize: (b: Buffer) => unknown;
}

/** grpc.health.v1 (the standard health-checking protocol), for client.healthCheck(). */
export const HEALTH_PROTO = {
  nested: {
    grpc: {
      nested: {
        health: {
          nested: {
            v1: {
              nested: {
                HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
                HealthCheckResponse: {
                  fields: { status: { type: 'ServingStatus', id: 1 } },
                  nested: { ServingStatus: { values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } } },
                },
                Health: { methods: { Check: { requestType: 'HealthCheckRequest', responseType: 'HealthCheckResponse' } } },
              },
            },
          },
        },
      },
    },
  },
};

export interface GrpcError {
  code: number;
  message: string;
  details: unknown[];
}

export interface GrpcResponse {
  status: number;
  message: unknown;
  headers: Record<string, string[]>;
  trailers: Record<string, string[]>;
  error: GrpcError | null;
}

function collectMethods(def: protoLoader.PackageDefinition, into: Map<string, MethodDef>): void {
  for (const value of Object.values(def)) {
    if (typeof value !== 'object' || value === null || 'format' in value) continue; // message/enum types
    for (const m of Object.values(value as Record<string, protoLoader.MethodDefinition<unknown, unknown>>)) {
      if (m && typeof m === 'object' && typeof m.path === 'string') into.set(m.path, m as unknown as MethodDef);
    }
  }
}

function metadataOf(raw: unknown, fn: string): grpc.Metadata {
  const md = new grpc.Metadata();
  if (raw === undefined || raw === null) return md;
  if (typeof raw !== 'object') throw new TypeError(`${fn}: params.metadata must be an object`);
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const key = k.toLowerCase();
    for (const one of Array.isArray(v) ? v : [v]) {
      if (key.endsWith('-bin')) md.add(key, one instanceof ArrayBuffer ? Buffer.from(one) : Buffer.from(String(one)));
      else md.add(key, String(one));
    }
  }
  return md;
}

function metadataObject(md: grpc.Metadata | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(md?.getMap() ?? {})) out[k] = (md?.get(k) ?? [v]).map((x) => (Buffer.isBuffer(x) ? x.toString('base64') : String(x)));
  return out;
}

function errorOf(s: { code: number; details: string }): GrpcError {
  return { code: s.code, message: s.details, details: [] };
}

interface CallParams {
  metadata: grpc.Metadata;
  tags: Tags;
  timeoutMs: number;
  discardResponseMessage: boolean;
}

function callParams(raw: unknown, fn: string): CallParams {
  const p: CallParams = { metadata: new grpc.Metadata(), tags: {}, timeoutMs: 60_000, discardResponseMessage: false };
  if (raw === undefined || raw === null) return p;
  if (typeof raw !== 'object') throw new TypeError(`${fn}: params must be an object`);
  const o = raw as Record<string, unknown>;
  p.metadata = metadataOf(o.metadata, fn);
  if (o.tags && typeof o.tags === 'object') for (const [k, v] of Object.entries(o.tags)) p.tags[k] = String(v);
  if (o.timeout !== undefined && o.timeout !== null) p.timeoutMs = parseDurationMs(o.timeout, `${fn}: params.timeout`);
  p.discardResponseMessage = o.discardResponseMessage === true;
  return p;
}

export class Client {
  private readonly methods = new Map<string, MethodDef>();
  private conn: grpc.Client | null = null;
  address = '';

  /** Bytes on this client's connections, added to the VU's data_sent/data_received at iteration end (as k6's dialer does). */
  private readonly wire = new WireBytes();
  private readonly data: DataCounter;

  constructor(private readonly vu: VuContext) {
    this.data = new DataCounter(vu);
    vu.on('iterationEnd', () => {
      this.countBytes();
      this.data.flush();
    });
    vu.on('close', () => {
      this.conn?.close();
      this.countBytes();
    });
  }

  /** Adds what the connections moved since last time (emitted at once outside an iteration). */
  private countBytes(): void {
    const { sent, received } = this.wire.take();
    this.data.add(sent, received);
  }

  private inInitOnly(fn: string): void {
    if (this.vu.phase !== 'init') throw new Error(`client.${fn}() can be used only in the init context, as in k6`);
  }

  /** load(importPaths, ...protoFiles): paths relative to the script's folder. */
  load(importPaths: unknown, ...files: unknown[]): void {
    this.inInitOnly('load');
    const base = path.dirname(this.vu.scriptPath);
    const dirs = (Array.isArray(importPaths) ? importPaths : importPaths ? [importPaths] : []).map((d) => path.resolve(base, String(d)));
    if (files.length === 0) throw new TypeError('client.load: name at least one .proto file');
    const resolved = files.map((f) => {
      const name = String(f);
      const local = path.resolve(base, name);
      return dirs.length === 0 ? local : name;
    });
    try {
      collectMethods(protoLoader.loadSync(resolved, { ...LOADER_OPTIONS, includeDirs: dirs.length ? dirs : [base] }), this.methods);
    } catch (err) {
      throw new Error(`client.load: ${(err as Error).message}`);
    }
  }

  /** loadProtoset(file): a binary FileDescriptorSet (protoc --descriptor_set_out --include_imports). */
  loadProtoset(file: unknown): void {
    this.inInitOnly('loadProtoset');
    const abs = path.resolve(path.dirname(this.vu.scriptPath), String(file));
    try {
      collectMethods(protoLoader.loadFileDescriptorSetFromBuffer(readFileSync(abs), LOADER_OPTIONS), this.methods);
    } catch (err) {
      throw new Error(`client.loadProtoset: cannot load ${abs}: ${(err as Error).message}`);
    }
  }

  /** connect(address, { plaintext, tls: { cacerts, cert, key }, reflect, reflectMetadata, timeout, maxReceiveSize, maxSendSize, authority }). */
  async connect(address: unknown, rawParams?: unknown): Promise<boolean> {
    if (this.vu.phase === 'init') throw new Error('client.connect() cannot be used in the init context, as in k6');
    if (typeof address !== 'string' || address === '') throw new TypeError('client.connect: the address must be a "host:port" string');
    const o = (rawParams ?? {}) as Record<string, unknown>;
    const timeoutMs = o.timeout !== undefined ? parseDurationMs(o.timeout, 'client.connect: params.timeout') : 60_000;
    let creds: grpc.ChannelCredentials;
    if (o.plaintext === true) creds = grpc.credentials.createInsecure();
    else {
      const tls = (o.tls ?? {}) as Record<string, unknown>;
      const pem = (v: unknown) => (v === undefined || v === null ? null : Buffer.from(Array.isArray(v) ? v.join('\n') : String(v)));
      creds = grpc.credentials.createSsl(pem(tls.cacerts), pem(tls.key), pem(tls.cert));
    }
    const options: grpc.ChannelOptions = {};
    if (o.maxReceiveSize) options['grpc.max_receive_message_length'] = Number(o.maxReceiveSize);
    if (o.maxSendSize) options['grpc.max_send_message_length'] = Number(o.maxSendSize);
    if (o.authority) options['grpc.default_authority'] = String(o.authority);
    this.address = address.replace(/^grpcs?:\/\//, '');
    await this.checkBlocklist();
    creds = new CountingCredentials(creds, (socket) => this.wire.watch(socket));
    // each client dials its own connection, as each k6 VU's connect() does (grpc-js would share one per target)
    options['grpc.use_local_subchannel_pool'] = 1;
    this.conn?.close();
    this.conn = new grpc.Client(this.address, creds, options);
    const conn = this.conn;
    await new Promise<void>((resolve, reject) =>
      conn.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(new Error(`client.connect: cannot connect to ${this.address}: ${err.message}`)) : resolve())),
    );
    if (o.reflect === true) await this.reflect(creds, options, metadataOf(o.reflectMetadata, 'client.connect'));
    return true;
  }

  /**
   * blacklistIPs / blockHostnames, as k6 applies them to every dial: the name, then each address
   * it resolves to, before the channel is created (grpc-js resolves again itself; both lookups
   * see the same loopback/DNS answers in practice).
   */
  private async checkBlocklist(): Promise<void> {
    const bl = blocklistOf(this.vu.options);
    if (bl.empty) return;
    const host = this.address.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    let blocked = bl.checkHostname(host) ?? bl.checkIp(host);
    if (!blocked && !net.isIP(host)) {
      const addrs = await dns.promises.lookup(host, { all: true }).catch(() => []);
      for (const a of addrs) blocked ??= bl.checkIp(a.address);
    }
    if (blocked) throw new Error(`client.connect: ${blocked.message}`);
  }

  private async reflect(creds: grpc.ChannelCredentials, options: grpc.ChannelOptions, md: grpc.Metadata): Promise<void> {
    const { GrpcReflection } = await import('grpc-js-reflection-client');
    const r = new GrpcReflection(this.address, creds, options);
    try {
      for (const svc of await r.listServices(undefined, md)) {
        if (svc.startsWith('grpc.reflection.')) continue;
        const d = await r.getDescriptorBySymbol(svc, md);
        collectMethods(d.getPackageDefinition(LOADER_OPTIONS), this.methods);
      }
    } catch (err) {
      throw new Error(`client.connect: server reflection on ${this.address} failed: ${(err as Error).message}`);
    }
  }

  method(name: unknown, fn: string): MethodDef {
    if (!this.conn) throw new Error(`${fn}: no gRPC connection, you must call connect first`);
    const raw = String(name);
    const key = raw.startsWith('/') ? raw : `/${raw}`;
    const m = this.methods.get(key);
    if (!m) throw new Error(`${fn}: method "${raw}" not found in the file descriptors (load its .proto, a protoset, or connect with reflect: true)`);
    return m;
  }

  connection(): grpc.Client {
    return this.conn as grpc.Client;
  }

  tags(m: MethodDef, extra: Tags): Tags {
    return { url: `grpc://${this.address}${m.path}`, method: m.path, name: m.path, rpc_type: 'unary', ...extra };
  }

  /** invoke/asyncInvoke: one unary call; never rejects on a gRPC status, only on bad arguments. */
  async invoke(method: unknown, request: unknown, rawParams?: unknown, fn = 'client.invoke'): Promise<GrpcResponse> {
    if (this.vu.phase === 'init') throw new Error(`${fn}() cannot be used in the init context, as in k6`);
    const m = this.method(method, fn);
    if (m.requestStream || m.responseStream) throw new Error(`${fn}: "${m.path}" is a streaming method: use new grpc.Stream(client, method)`);
    const p = callParams(rawParams, fn);
    let payload: Buffer;
    try {
      payload = m.requestSerialize(request ?? {});
    } catch (err) {
      throw new Error(`${fn}: cannot build the ${m.path} request message: ${(err as Error).message}`);
    }
    const started = performance.now();
    const startedAt = Date.now();
    const res: GrpcResponse = { status: 0, message: null, headers: {}, trailers: {}, error: null };
    await new Promise<void>((resolve) => {
      const call = this.connection().makeUnaryRequest(
        m.path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        payload,
        p.metadata,
        { deadline: Date.now() + p.timeoutMs },
        (err, value) => {
          if (!err && value && !p.discardResponseMessage) res.message = m.responseDeserialize(value);
          if (err) res.error = errorOf(err);
        },
      );
      call.on('metadata', (md) => (res.headers = metadataObject(md)));
      call.on('status', (s) => {
        res.status = s.code;
        res.trailers = metadataObject(s.metadata);
        if (s.code !== grpc.status.OK) res.error ??= errorOf(s);
        resolve();
      });
      const signal = this.vu.signal;
      signal?.addEventListener('abort', () => call.cancel(), { once: true });
    });
    this.vu.emit('grpc_req_duration', performance.now() - started, { ...this.tags(m, p.tags), status: String(res.status) }, startedAt);
    return res;
  }

  /** healthCheck([service]): grpc.health.v1.Health/Check; `message.status` is the status name ('SERVING', …). */
  healthCheck(service?: unknown): Promise<GrpcResponse> {
    if (!this.methods.has('/grpc.health.v1.Health/Check')) collectMethods(protoLoader.fromJSON(HEALTH_PROTO as Parameters<typeof protoLoader.fromJSON>[0], { ...LOADER_OPTIONS, defaults: true }), this.methods);
    return this.invoke('grpc.health.v1.Health/Check', { service: service === undefined || service === null ? '' : String(service) }, undefined, 'client.healthCheck');
  }

  close(): void {
    this.conn?.close();
    this.conn = null;
    this.countBytes();
  }
}

type Listener = (v: unknown) => unknown;

/** new grpc.Stream(client, method, params): server, client and bidirectional streaming alike (one HTTP/2 stream). */
export class Stream {
  private readonly listeners = new Map<string, Listener[]>();
  private readonly call: grpc.ClientDuplexStream<Buffer, Buffer>;
  private readonly tags: Tags;
  private failure: unknown = null;

  constructor(vu: VuContext, client: unknown, method: unknown, rawParams?: unknown) {
    if (!(client instanceof Client)) throw new TypeError('grpc.Stream: the first argument must be a grpc.Client');
    if (vu.phase === 'init') throw new Error('grpc.Stream cannot be opened in the init context, as in k6');
    const m = client.method(method, 'grpc.Stream');
    const p = callParams(rawParams, 'grpc.Stream');
    const rpcType = m.requestStream && m.responseStream ? 'bidi' : m.requestStream ? 'client_streaming' : m.responseStream ? 'server_streaming' : 'unary';
    this.tags = { ...client.tags(m, p.tags), rpc_type: rpcType };
    this.call = client.connection().makeBidiStreamRequest(m.path, (b: Buffer) => b, (b: Buffer) => b, p.metadata, {});
    this.serialize = (v) => m.requestSerialize(v ?? {});
    this.emitSample = (name) => vu.emit(name, 1, this.tags);
    vu.emit('grpc_streams', 1, this.tags);
    const done = new Promise<void>((resolve, reject) => {
      this.call.on('data', (b: Buffer) => {
        this.emitSample('grpc_streams_msgs_received');
        this.fire('data', m.responseDeserialize(b));
      });
      this.call.on('status', (s: grpc.StatusObject) => {
        if (s.code !== grpc.status.OK) this.fire('error', errorOf(s));
        this.fire('end', undefined);
        if (this.failure) reject(this.failure);
        else resolve();
      });
      this.call.on('error', () => {}); // reported through 'status'
    });
    const signal = vu.signal;
    signal?.addEventListener('abort', () => this.call.cancel(), { once: true });
    void vu.track(done);
  }

  private readonly serialize: (v: unknown) => Buffer;
  private readonly emitSample: (name: string) => void;

  on(event: unknown, fn: unknown): void {
    const name = String(event);
    if (!['data', 'error', 'end'].includes(name)) throw new TypeError(`stream.on: unknown event "${name}" (data, error, end)`);
    if (typeof fn !== 'function') throw new TypeError(`stream.on("${name}"): the handler must be a function`);
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn as Listener]);
  }
  private fire(event: string, v: unknown): void {
    for (const fn of this.listeners.get(event) ?? []) {
      if (this.failure) return;
      try {
        fn(v);
      } catch (err) {
        this.failure = err;
        this.call.cancel();
      }
    }
  }
  write(message: unknown): void {
    this.call.write(this.serialize(message));
    this.emitSample('grpc_streams_msgs_sent');
  }
  end(): void {
    this.call.end();
  }
}
