/**
 * What k6/ws and k6/websockets share: opening a `ws` client socket with k6's params (headers,
 * tags, cookie jar, compression, subprotocols), and emitting k6's ws_* metrics and the
 * session's data_sent/data_received with k6's tags (url, status, subproto + the VU's).
 */
import { performance } from 'node:perf_hooks';
import type { IncomingMessage } from 'node:http';
import net, { type Socket } from 'node:net';
import WebSocket from 'ws';
import { IterationInterrupted } from '../../errors.ts';
import type { Tags, VuContext } from '../../types.ts';
import { blockingLookup, blocklistOf, type ConnectBlocklist } from '../http/blocklist.ts';
import { CookieJar, vuCookieJars } from '../http/cookies.ts';

export interface WsParams {
  headers: Record<string, string>;
  tags: Tags;
  jar: CookieJar | null;
  compression: boolean;
  protocols: string[];
}

/** k6's ws params object (`{ headers, tags, jar, compression }`), checked once. */
export function wsParams(raw: unknown, fn: string): WsParams {
  const p: WsParams = { headers: {}, tags: {}, jar: null, compression: false, protocols: [] };
  if (raw === undefined || raw === null) return p;
  if (typeof raw !== 'object') throw new TypeError(`${fn}: params must be an object`);
  const o = raw as Record<string, unknown>;
  if (o.headers !== undefined && o.headers !== null) {
    for (const [k, v] of Object.entries(o.headers as Record<string, unknown>)) p.headers[k] = String(v);
  }
  if (o.tags !== undefined && o.tags !== null) {
    for (const [k, v] of Object.entries(o.tags as Record<string, unknown>)) p.tags[k] = String(v);
  }
  if (o.jar !== undefined && o.jar !== null) {
    if (!(o.jar instanceof CookieJar)) throw new TypeError(`${fn}: params.jar must be a CookieJar (http.cookieJar() or new http.CookieJar())`);
    p.jar = o.jar;
  }
  if (o.compression !== undefined && o.compression !== null && o.compression !== '') {
    if (o.compression !== 'deflate') throw new TypeError(`${fn}: params.compression must be "deflate" (permessage-deflate), got "${String(o.compression)}"`);
    p.compression = true;
  }
  return p;
}

export function toArrayBuffer(data: WebSocket.RawData): ArrayBuffer {
  const b = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

export function rawText(data: WebSocket.RawData): string {
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8');
}

/** One socket's life: its k6 tags, timestamps, and the metric samples it owes. */
export class WsSession {
  readonly ws: WebSocket;
  /** url, status, subproto and the call's tags; the VU adds its own (scenario, group, …). */
  readonly tags: Tags;
  status = 0;
  headers: Record<string, string> = {};
  private readonly started = performance.now();
  private readonly startedAt = Date.now();
  private socket: Socket | null = null;
  private pingSent: number[] = [];
  private ended = false;
  /** Settles when the socket has closed (or failed to open): close code, or the error. */
  readonly closed: Promise<void>;
  closeCode = 1006;
  /** Set when a script handler threw: the session ends and the caller rethrows it. */
  handlerError: unknown = null;

  constructor(
    private readonly vu: VuContext,
    readonly url: string,
    p: WsParams,
    onOpen: (s: WsSession) => void,
    onFail: (err: Error) => void,
  ) {
    const headers = { ...p.headers };
    const jar = p.jar ?? vuCookieJars.get(vu);
    if (jar) {
      const u = new URL(url.replace(/^ws/, 'http'));
      const cookies = jar.matching(u).map((c) => `${c.name}=${c.value}`);
      if (cookies.length) headers.Cookie = [headers.Cookie, ...cookies].filter(Boolean).join('; ');
    }
    this.tags = { url, status: '0', subproto: '', ...p.tags };
    // blacklistIPs / blockHostnames hold for WebSockets too: refused before any dial
    const blocklist = blocklistFor(vu);
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    const blocked = blocklist ? (blocklist.checkHostname(host) ?? blocklist.checkIp(host)) : null;
    this.ws = new WebSocket(url, p.protocols, {
      headers,
      perMessageDeflate: p.compression,
      handshakeTimeout: 60_000,
      ...(blocklist ? { lookup: blockingLookup(blocklist) } : {}),
      ...(blocked ? { createConnection: () => failingSocket(blocked) } : {}),
    });
    this.ws.on('upgrade', (res: IncomingMessage) => {
      this.socket = res.socket as Socket;
      this.status = res.statusCode ?? 101;
      for (const [k, v] of Object.entries(res.headers)) this.headers[canonical(k)] = Array.isArray(v) ? v.join(', ') : String(v);
    });
    this.ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      this.status = res.statusCode ?? 0;
      this.socket = res.socket as Socket;
      res.resume();
      this.fail(new Error(`websocket: bad handshake (HTTP ${this.status} from ${url})`), onFail);
    });
    this.ws.on('open', () => {
      this.tags.status = String(this.status || 101);
      this.tags.subproto = this.ws.protocol;
      this.vu.emit('ws_sessions', 1, this.tags, this.startedAt);
      this.vu.emit('ws_connecting', performance.now() - this.started, this.tags, this.startedAt);
      onOpen(this);
    });
    this.ws.on('error', (err) => {
      if (this.ws.readyState === WebSocket.CONNECTING || !this.socket) this.fail(err, onFail);
    });
    this.ws.on('pong', () => {
      const t = this.pingSent.shift();
      if (t !== undefined) this.vu.emit('ws_ping', performance.now() - t, this.tags);
    });
    this.closed = new Promise<void>((resolve) => {
      this.ws.once('close', (code) => {
        this.closeCode = code;
        this.end();
        resolve();
      });
    });
    const signal = vu.signal;
    if (signal) {
      const stop = () => {
        this.handlerError ??= signal.reason instanceof IterationInterrupted ? signal.reason : new IterationInterrupted('gracefulStop');
        this.ws.terminate();
      };
      if (signal.aborted) queueMicrotask(stop);
      else signal.addEventListener('abort', stop, { once: true });
      void this.closed.then(() => signal.removeEventListener('abort', stop));
    }
  }

  private fail(err: Error, onFail: (err: Error) => void): void {
    if (this.ended) return;
    this.ended = true;
    this.tags.status = String(this.status);
    this.flushBytes();
    onFail(err);
  }

  /** Session end: duration and the bytes this socket moved. */
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.vu.emit('ws_session_duration', performance.now() - this.started, this.tags, this.startedAt);
    this.flushBytes();
  }

  private flushBytes(): void {
    if (!this.socket) return;
    const time = Date.now();
    this.vu.emit('data_sent', this.socket.bytesWritten, this.tags, time);
    this.vu.emit('data_received', this.socket.bytesRead, this.tags, time);
  }

  send(data: string | Buffer): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(data);
    this.vu.emit('ws_msgs_sent', 1, this.tags);
  }
  received(): void {
    this.vu.emit('ws_msgs_received', 1, this.tags);
  }
  ping(): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.pingSent.push(performance.now());
    this.ws.ping();
  }
  close(code?: unknown, reason?: unknown): void {
    if (this.ws.readyState === WebSocket.CLOSED || this.ws.readyState === WebSocket.CLOSING) return;
    if (this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.terminate();
      return;
    }
    this.ws.close(code === undefined || code === null ? 1000 : Number(code), reason === undefined ? undefined : String(reason));
  }
}

const blocklists = new WeakMap<object, ConnectBlocklist | null>();
/** The VU's blocklist (null when its options block nothing), parsed once per options object. */
function blocklistFor(vu: VuContext): ConnectBlocklist | null {
  let b = blocklists.get(vu.options);
  if (b === undefined) {
    const list = blocklistOf(vu.options);
    b = list.empty ? null : list;
    blocklists.set(vu.options, b);
  }
  return b;
}

/** A socket that fails at once with `err`: a blocked URL never dials. */
function failingSocket(err: Error): Socket {
  const s = new net.Socket();
  queueMicrotask(() => s.destroy(err));
  return s;
}

function canonical(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}
