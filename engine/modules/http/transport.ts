/**
 * The per-VU connection layer and one HTTP exchange's timing capture.
 *
 * Each VU owns its connections (VuConnections: undici Clients per origin, one socket each, kept
 * alive across iterations, as k6's per-VU transport). The connector is wrapped so every socket
 * records when its DNS lookup, TCP connect and TLS handshake finished, and `hosts` overrides are
 * applied before dialling. An
 * Exchange is an undici dispatch handler that stamps the phases of one request/response with
 * performance.now() (sub-ms): onConnect = the request got a socket and starts writing,
 * onRequestSent = fully written, onResponseStarted = first response byte, onComplete = last
 * byte. The socket a request was written to is learnt from undici's `undici:client:sendHeaders`
 * diagnostics channel, which undici publishes synchronously right after onConnect.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { createRequire } from 'node:module';
import type { buildConnector as BuildConnector, Client as UndiciClient, Dispatcher } from 'undici';
import { blockingLookup, type ConnectBlocklist } from './blocklist.ts';

// undici's index also loads fetch, WebSocket, caches and mocks (~110 ms on a slow 2-core host, in
// every worker before its first request); k6/http needs only the Client and the connector (~38 ms).
// Same module instances as the index's exports (undici 7 has no exports map to forbid the paths).
const requireUndici = createRequire(import.meta.url);
const Client = requireUndici('undici/lib/dispatcher/client.js') as typeof UndiciClient;
const buildConnector = requireUndici('undici/lib/core/connect.js') as typeof BuildConnector;

const now = () => performance.now();

/** Per-socket connection timings (performance.now() ms). */
export interface ConnInfo {
  start: number;
  lookupEnd: number;
  connectEnd: number;
  tlsEnd: number;
  remoteAddress: string;
  remotePort: number;
  tlsVersion: string;
  tlsCipher: string;
  /** The first request on this socket reports the connect phases; later ones report 0. */
  claimed: boolean;
}

const kConn = Symbol('aetos.conn');
type TimedSocket = Socket & { [kConn]?: ConnInfo };

/** Resolved phases of one exchange, in ms. */
export interface Timings {
  duration: number;
  blocked: number;
  looking_up: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
}

/**
 * The exchange whose onConnect just ran; the sendHeaders subscriber attaches its socket. undici
 * calls a request's onConnect and publishes its `undici:client:sendHeaders` in one synchronous
 * step (client-h1 writeH1), so the message that arrives while `writing` is set is that exchange's:
 * no other request can be written in between, and a request aborted in onConnect never sets it.
 * (No reach into undici's private `handler` symbol to pair them.)
 */
let writing: Exchange | null = null;
subscribe('undici:client:sendHeaders', (msg) => {
  const ex = writing;
  if (ex === null) return;
  const { headers, socket } = msg as { headers: string; socket: TimedSocket };
  writing = null;
  ex.headerBytes = headers.length;
  const info = socket[kConn];
  if (info) {
    ex.conn = info;
    if (!info.claimed) {
      info.claimed = true;
      ex.newConn = true;
    }
  }
});

/**
 * Finished exchanges hand their result to the waiting VU in one batch per event-loop turn
 * (setImmediate) rather than one by one: Node runs a VU's continuation (its script, the next
 * request) between two sockets' reads otherwise, so a response read later in the same turn
 * would be timestamped only after other VUs' script work. Deferring keeps every timestamp at
 * the moment its bytes were parsed, and batches the VUs' next writes.
 */
const DEFER = process.env.AETOS_HTTP_DEFER !== '0';
let finishedBatch: Exchange[] = [];
let flushScheduled = false;
function flushFinished(): void {
  flushScheduled = false;
  const list = finishedBatch;
  finishedBatch = [];
  for (let i = 0; i < list.length; i++) {
    const ex = list[i]!;
    ex.done!(ex);
  }
}

/**
 * One request/response on the wire: an undici (legacy-API) dispatch handler. Resolves its
 * `done` callback exactly once, with either a response or an error; never rejects.
 */
export class Exchange {
  t0 = now();
  tSend = 0;
  tSent = 0;
  tFirst = 0;
  tEnd = 0;
  conn: ConnInfo | null = null;
  newConn = false;
  headerBytes = 0;
  status = 0;
  statusText = '';
  rawHeaders: Buffer[] = [];
  chunks: Buffer[] | null;
  bodyBytes = 0;
  error: Error | null = null;
  finished = false;
  /** The connection slot this exchange occupies until it finishes. */
  slot: Slot | null = null;
  private abortFn: ((err?: Error) => void) | null = null;
  private pendingAbort: Error | null = null;
  /** Called once when the exchange ends (set by the client before dispatching). */
  done: ((ex: Exchange) => void) | null = null;

  constructor(keepBody: boolean) {
    this.chunks = keepBody ? [] : null;
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortFn = abort;
    if (this.pendingAbort) {
      abort(this.pendingAbort);
      return;
    }
    this.tSend = now();
    writing = this;
  }
  onBodySent(): void {}
  onRequestSent(): void {
    this.tSent = now();
  }
  onResponseStarted(): void {
    if (this.tFirst === 0) this.tFirst = now();
  }
  onHeaders(status: number, rawHeaders: Buffer[], _resume: () => void, statusText: string): boolean {
    if (this.tFirst === 0) this.tFirst = now();
    this.status = status;
    this.statusText = statusText;
    this.rawHeaders = rawHeaders;
    return true;
  }
  onData(chunk: Buffer): boolean {
    this.bodyBytes += chunk.length;
    if (this.chunks !== null) this.chunks.push(chunk);
    return true;
  }
  onComplete(): void {
    this.finish(null);
  }
  onError(err: Error): void {
    this.finish(err);
  }
  onUpgrade(): void {
    this.finish(new Error('unexpected protocol upgrade'));
  }

  /** Ends the exchange early (timeout, iteration interrupted); safe at any point. */
  abort(err: Error): void {
    if (this.finished) return;
    if (this.abortFn) this.abortFn(err);
    else this.pendingAbort = err;
    this.finish(err);
  }

  private finish(err: Error | null): void {
    if (this.finished) return;
    this.finished = true;
    this.tEnd = now();
    this.error = err;
    if (writing === this) writing = null;
    if (this.slot) {
      this.slot.busy--;
      this.slot = null;
    }
    if (this.done === null) return;
    if (DEFER) {
      finishedBatch.push(this);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushFinished);
      }
    } else this.done(this);
  }

  /** k6's phases for this exchange. duration = sending + waiting + receiving. */
  timings(): Timings {
    const tSend = this.tSend || this.tEnd;
    const tSent = this.tSent || (this.tSend ? Math.max(this.tSend, this.tFirst || this.tEnd) : tSend);
    const tFirst = this.tFirst ? Math.max(this.tFirst, tSent) : this.tEnd;
    const sending = tSent - tSend;
    const waiting = tFirst - tSent;
    const receiving = this.tEnd - tFirst;
    let lookingUp = 0;
    let connecting = 0;
    let tls = 0;
    const c = this.conn;
    if (c && this.newConn) {
      const lookupEnd = c.lookupEnd || c.start;
      lookingUp = lookupEnd - c.start;
      connecting = (c.connectEnd || lookupEnd) - lookupEnd;
      tls = c.tlsEnd ? c.tlsEnd - (c.connectEnd || lookupEnd) : 0;
    }
    return {
      duration: sending + waiting + receiving,
      blocked: tSend - this.t0,
      looking_up: lookingUp,
      connecting,
      tls_handshaking: tls,
      sending,
      waiting,
      receiving,
    };
  }

  /** Bytes received on the wire for this response (status line, headers, raw body). */
  receivedBytes(): number {
    if (this.status === 0) return this.bodyBytes;
    let n = 15 + this.statusText.length; // "HTTP/1.1 200 " (13) + text + CRLF
    const h = this.rawHeaders;
    for (let i = 0; i < h.length; i++) n += h[i]!.length + 2;
    return n + 2 + this.bodyBytes;
  }
}

export interface TransportOptions {
  /** k6 `hosts`: "name" or "name:port" → "ip" or "ip:port". */
  hosts?: Record<string, string>;
  insecureSkipTLSVerify?: boolean;
  tlsVersion?: unknown;
  /** k6 `blacklistIPs` / `blockHostnames`: refused before any socket is opened. */
  blocklist?: ConnectBlocklist;
}

function tlsName(v: string): ConnectionOptions['minVersion'] {
  const map: Record<string, ConnectionOptions['minVersion']> = {
    'tls1.0': 'TLSv1',
    'tls1.1': 'TLSv1.1',
    'tls1.2': 'TLSv1.2',
    'tls1.3': 'TLSv1.3',
  };
  const r = map[v.toLowerCase()];
  if (!r) throw new TypeError(`invalid tlsVersion "${v}" (use tls1.0, tls1.1, tls1.2 or tls1.3)`);
  return r;
}

function tlsRange(v: unknown): { minVersion?: ConnectionOptions['minVersion']; maxVersion?: ConnectionOptions['maxVersion'] } {
  if (!v) return {};
  if (typeof v === 'string') return { minVersion: tlsName(v), maxVersion: tlsName(v) };
  const o = v as { min?: string; max?: string };
  return { minVersion: o.min ? tlsName(o.min) : undefined, maxVersion: o.max ? tlsName(o.max) : undefined };
}

/** Splits "1.2.3.4:80", "[::1]:80", "1.2.3.4" into host and optional port. */
function splitHostPort(s: string): { host: string; port?: string } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s);
  if (!m) return { host: s };
  return { host: m[1]!, port: m[2] };
}

/**
 * undici writes a request on a Client synchronously only while the Client has room for it; with
 * pipelining 1, a request dispatched right after the previous response ended waits for undici's
 * setImmediate-deferred resume. We never put two of our exchanges on one Client (a Client is
 * chosen only when idle), so a depth of 2 only removes that wait; it does not pipeline.
 */
const PIPELINING = Number(process.env.AETOS_HTTP_PIPELINING ?? 2);

/** One undici Client (one socket at a time) and how many of our exchanges use it. */
interface Slot {
  client: UndiciClient;
  busy: number;
}

/**
 * A VU's connections: per origin, a list of undici Clients, each carrying one request at a
 * time (no pipelining, as Go's transport). A request takes the first idle Client or opens a
 * new one. undici's own Pool marks a Client free only a tick after its response completed, so
 * a VU's back-to-back requests would open a second socket; counting our own exchanges instead
 * keeps one socket per VU for sequential requests, as in k6.
 */
export class VuConnections {
  private readonly origins = new Map<string, Slot[]>();
  private readonly connect: BuildConnector.connector;
  constructor(opts: TransportOptions) {
    this.connect = timedConnector(opts);
  }

  dispatch(opts: Dispatcher.DispatchOptions & { origin: string }, ex: Exchange): void {
    let slots = this.origins.get(opts.origin);
    if (!slots) {
      slots = [];
      this.origins.set(opts.origin, slots);
    }
    let slot: Slot | undefined;
    for (let i = 0; i < slots.length; i++)
      if (slots[i]!.busy === 0) {
        slot = slots[i];
        break;
      }
    if (!slot) {
      slot = {
        client: new Client(opts.origin, {
          connect: this.connect,
          keepAliveTimeout: 60_000,
          keepAliveMaxTimeout: 600_000,
          headersTimeout: 0,
          bodyTimeout: 0,
          pipelining: PIPELINING,
        }),
        busy: 0,
      };
      slots.push(slot);
    }
    slot.busy++;
    ex.slot = slot;
    slot.client.dispatch(opts, ex as unknown as Dispatcher.DispatchHandler);
  }

  /** Open sockets (tests, diagnostics). */
  connected(): number {
    let n = 0;
    for (const slots of this.origins.values()) for (const s of slots) n += Number(s.client.stats.connected);
    return n;
  }

  async destroy(): Promise<void> {
    const all: Promise<void>[] = [];
    for (const slots of this.origins.values()) for (const s of slots) all.push(s.client.destroy().catch(() => {}));
    this.origins.clear();
    await Promise.all(all);
  }

  async close(): Promise<void> {
    const all: Promise<void>[] = [];
    for (const slots of this.origins.values()) for (const s of slots) all.push(s.client.close().catch(() => {}));
    this.origins.clear();
    await Promise.all(all);
  }
}

/** undici's connector wrapped to apply `hosts` and stamp each socket's connect phases. */
function timedConnector(opts: TransportOptions): BuildConnector.connector {
  const blocklist = opts.blocklist && !opts.blocklist.empty ? opts.blocklist : undefined;
  const base = buildConnector({
    rejectUnauthorized: !opts.insecureSkipTLSVerify,
    timeout: 30_000,
    ...tlsRange(opts.tlsVersion),
    // a resolved name is checked against blacklistIPs before net.connect dials it
    ...(blocklist ? { lookup: blockingLookup(blocklist) } : {}),
  } as BuildConnector.BuildOptions);
  const hosts = opts.hosts;
  const connect: BuildConnector.connector = (options, callback) => {
    let o = options;
    const blocked = blocklist?.checkHostname(o.hostname);
    if (blocked) {
      queueMicrotask(() => callback(blocked, null));
      return null as never;
    }
    if (hosts) {
      const port = o.port || (o.protocol === 'https:' ? '443' : '80');
      const mapped = hosts[`${o.hostname}:${port}`] ?? hosts[o.hostname];
      if (mapped) {
        const hp = splitHostPort(mapped);
        o = { ...o, hostname: hp.host, port: hp.port ?? port, servername: o.servername || o.hostname };
      }
    }
    const blockedIp = blocklist?.checkIp(o.hostname.replace(/^\[|\]$/g, ''));
    if (blockedIp) {
      queueMicrotask(() => callback(blockedIp, null));
      return null as never;
    }
    const info: ConnInfo = {
      start: now(),
      lookupEnd: 0,
      connectEnd: 0,
      tlsEnd: 0,
      remoteAddress: '',
      remotePort: 0,
      tlsVersion: '',
      tlsCipher: '',
      claimed: false,
    };
    const socket = base(o, (err, s) => {
      if (err || !s) return callback(err as Error, null);
      const sock = s as TimedSocket;
      if (o.protocol === 'https:') {
        info.tlsEnd = now();
        const tlsSock = sock as unknown as import('node:tls').TLSSocket;
        info.tlsVersion = tlsSock.getProtocol?.() ?? '';
        info.tlsCipher = tlsSock.getCipher?.()?.name ?? '';
      } else if (!info.connectEnd) info.connectEnd = now();
      info.remoteAddress = sock.remoteAddress ?? '';
      info.remotePort = sock.remotePort ?? 0;
      sock[kConn] = info;
      callback(null, s);
    }) as unknown as Socket;
    socket.once('lookup', () => {
      info.lookupEnd = now();
    });
    // For plain TCP, undici's callback above is registered first and already stamped connectEnd
    // (and may have written the request): never move it later.
    socket.once('connect', () => {
      if (!info.connectEnd) info.connectEnd = now();
    });
    return socket as never;
  };
  return connect;
}
