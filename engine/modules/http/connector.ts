/**
 * The timed connector: every socket records when its DNS lookup, TCP connect and TLS handshake
 * finished, with k6's `hosts` overrides applied and the blocklist checked before dialling. Plain
 * http: is dialled with net.connect (as undici's connector would), https: through undici's
 * connector (TLS sessions, ALPN). Both transports (h1-connection.ts for http:, undici's Client for
 * https:) open their sockets through it.
 */
import { performance } from 'node:perf_hooks';
import { connect as netConnect, type NetConnectOpts, type OnReadOpts, type Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { buildConnector as BuildConnector } from 'undici';
import { lazyRequire } from '../../lazy-require.ts';
import { blockingLookup, type ConnectBlocklist } from './blocklist.ts';

// Only https: needs undici's connector (TLS sessions, ALPN); loading it costs a worker ~25 ms
// before its first request, so a test of plain http: never does. (undici's index would also load
// fetch, WebSocket, caches and mocks: ~110 ms.)
const undiciConnector = lazyRequire<typeof BuildConnector>('undici/lib/core/connect.js');

/** undici's connect timeout, which this connector keeps for both protocols. */
const CONNECT_TIMEOUT_MS = 30_000;

const now = () => performance.now();

/**
 * undici's connector shape; a plain-TCP socket may also be asked to read into a caller's buffer
 * (net.connect's `onread`: no 'data' events, no buffer allocated per read).
 */
export type ConnectOptions = BuildConnector.Options & { onread?: OnReadOpts };
export type Connector = (options: ConnectOptions, callback: BuildConnector.Callback) => Socket;

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

/** The connect phases the connector stamped on `socket` (undefined for a socket it did not open). */
export function connInfoOf(socket: Socket): ConnInfo | undefined {
  return (socket as TimedSocket)[kConn];
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

/** The connector (ours for http:, undici's for https:) wrapped to apply `hosts` and stamp each socket's connect phases. */
export function timedConnector(opts: TransportOptions): Connector {
  const blocklist = opts.blocklist && !opts.blocklist.empty ? opts.blocklist : undefined;
  // a resolved name is checked against blacklistIPs before net.connect dials it
  const lookup = blocklist ? blockingLookup(blocklist) : undefined;
  const range = tlsRange(opts.tlsVersion); // checked now: a bad tlsVersion fails the first request of any protocol
  let tlsBase: BuildConnector.connector | null = null;
  const base: Connector = (o, cb) => {
    if (o.protocol !== 'https:') return plainConnect(o, lookup, cb);
    tlsBase ??= undiciConnector()({
      rejectUnauthorized: !opts.insecureSkipTLSVerify,
      timeout: CONNECT_TIMEOUT_MS,
      ...range,
      ...(lookup ? { lookup } : {}),
    } as BuildConnector.BuildOptions);
    return tlsBase(o, cb) as unknown as Socket;
  };
  const hosts = opts.hosts;
  const connect: Connector = (options, callback) => {
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
    // For plain TCP, the base's callback above is registered first and already stamped connectEnd
    // (and may have written the request): never move it later.
    socket.once('connect', () => {
      if (!info.connectEnd) info.connectEnd = now();
    });
    return socket as never;
  };
  return connect;
}

/** A connect that took longer than undici's 30 s limit (k6's 1211, "i/o timeout"). */
class ConnectTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

/**
 * A plain TCP socket with the options undici's connector gives one: no Nagle delay, TCP
 * keep-alive after 60 s, a 64 KiB read size, the connect abandoned after 30 s; `onread` when the
 * caller reads into its own buffer.
 */
function plainConnect(
  o: ConnectOptions,
  lookup: ReturnType<typeof blockingLookup> | undefined,
  callback: BuildConnector.Callback,
): Socket {
  let cb: BuildConnector.Callback | null = callback;
  const port = Number(o.port) || 80;
  const socket = netConnect({ highWaterMark: 64 * 1024, host: o.hostname, port, ...(lookup ? { lookup } : {}), ...(o.onread ? { onread: o.onread } : {}) } as NetConnectOpts);
  socket.setKeepAlive(true, 60_000);
  socket.setNoDelay(true);
  const timer = setTimeout(() => {
    socket.destroy(new ConnectTimeoutError(`connect timeout (attempted address: ${o.hostname}:${port}, timeout: ${CONNECT_TIMEOUT_MS}ms)`));
  }, CONNECT_TIMEOUT_MS);
  socket
    .once('connect', () => {
      clearTimeout(timer);
      const done = cb;
      cb = null;
      done?.(null, socket);
    })
    .on('error', (err) => {
      clearTimeout(timer);
      const done = cb;
      cb = null;
      done?.(err, null);
    });
  return socket;
}
