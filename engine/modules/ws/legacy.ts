/**
 * `k6/ws`: `ws.connect(url, [params], callback)` opens a socket, calls `callback(socket)`, runs
 * the socket's handlers as events arrive and returns (the loader awaits it: engine/loader/
 * blocking.ts) only when the socket has closed, with k6's response `{ url, status, headers,
 * body, error }`. A handler that throws closes the socket and the exception fails the iteration,
 * as in k6. A handshake that fails throws, naming the URL and the HTTP status.
 */
import type { ModuleFactory, VuContext } from '../../types.ts';
import { rawText, toArrayBuffer, wsParams, WsSession } from './session.ts';
import { moduleExports } from '../module-exports.ts';

type Handler = (...args: unknown[]) => unknown;
const EVENTS = new Set(['open', 'message', 'binaryMessage', 'ping', 'pong', 'close', 'error']);

/** The `socket` a connect callback receives. */
class Socket {
  private readonly handlers = new Map<string, Handler[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  constructor(private readonly s: WsSession) {}

  on(event: unknown, fn: unknown): void {
    const name = String(event);
    if (!EVENTS.has(name)) throw new TypeError(`socket.on: unknown event "${name}" (${[...EVENTS].join(', ')})`);
    if (typeof fn !== 'function') throw new TypeError(`socket.on("${name}"): the handler must be a function`);
    this.handlers.set(name, [...(this.handlers.get(name) ?? []), fn as Handler]);
  }
  /** Runs the handlers of one event; the first exception ends the session. */
  fire(event: string, ...args: unknown[]): void {
    for (const h of this.handlers.get(event) ?? []) this.guard(() => h(...args));
  }
  guard(fn: () => unknown): void {
    if (this.s.handlerError) return;
    try {
      fn();
    } catch (err) {
      this.s.handlerError = err;
      this.s.ws.terminate();
    }
  }
  send(data: unknown): void {
    this.s.send(String(data));
  }
  sendBinary(data: unknown): void {
    if (!(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) throw new TypeError('socket.sendBinary: the argument must be an ArrayBuffer');
    this.s.send(data instanceof ArrayBuffer ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  ping(): void {
    this.s.ping();
  }
  close(code?: unknown): void {
    this.s.close(code);
  }
  setTimeout(fn: unknown, ms: unknown): void {
    if (typeof fn !== 'function') throw new TypeError('socket.setTimeout: the callback must be a function');
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.guard(fn as Handler);
    }, Number(ms) || 0);
    this.timers.add(t);
  }
  setInterval(fn: unknown, ms: unknown): void {
    if (typeof fn !== 'function') throw new TypeError('socket.setInterval: the callback must be a function');
    const every = Number(ms);
    if (!(every > 0)) throw new TypeError('socket.setInterval: the interval must be a positive number of milliseconds');
    const t = setInterval(() => this.guard(fn as Handler), every);
    this.timers.add(t);
  }
  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

export interface WsResponse {
  url: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  error: string;
}

function connect(vu: VuContext, url: unknown, a?: unknown, b?: unknown): Promise<WsResponse> {
  if (vu.phase === 'init') throw new Error('ws.connect: using websockets in the init context is not supported (as in k6): connect in the default function');
  const [paramsIn, callback] = typeof a === 'function' ? [undefined, a] : [a, b];
  if (typeof url !== 'string' || !/^wss?:\/\//.test(url)) throw new TypeError(`ws.connect: the URL must start with ws:// or wss://, got "${String(url)}"`);
  if (typeof callback !== 'function') throw new TypeError('ws.connect: the last argument must be a function(socket)');
  const p = wsParams(paramsIn, 'ws.connect');
  return new Promise<WsResponse>((resolve, reject) => {
    let socket: Socket | null = null;
    const s = new WsSession(
      vu,
      url,
      p,
      (session) => {
        socket = new Socket(session);
        const sock = socket;
        session.ws.on('message', (data, isBinary) => {
          session.received();
          if (isBinary) sock.fire('binaryMessage', toArrayBuffer(data));
          else sock.fire('message', rawText(data));
        });
        session.ws.on('ping', () => sock.fire('ping'));
        session.ws.on('pong', () => sock.fire('pong'));
        session.ws.on('error', (err) => sock.fire('error', { error: () => err.message, message: err.message }));
        sock.guard(() => callback(sock));
        sock.fire('open');
      },
      (err) => reject(err),
    );
    void s.closed.then(() => {
      if (!socket) return; // never opened: onFail rejected already
      socket.clearTimers();
      socket.fire('close', s.closeCode);
      if (s.handlerError) reject(s.handlerError);
      else resolve({ url, status: s.status, headers: s.headers, body: '', error: '' });
    });
  });
}

export const wsModule: ModuleFactory = (vu) => {
  const mod = { connect: (url: unknown, a?: unknown, b?: unknown) => connect(vu, url, a, b) };
  return moduleExports(mod);
};
