/**
 * `k6/websockets`: the browser-like `WebSocket` (new WebSocket(url, [protocols], [params])) with
 * addEventListener and on<event> properties, readyState, binaryType ('blob' or 'arraybuffer'),
 * send, ping, close. It does not block: the socket is tracked (VuContext.track), so the
 * iteration ends only after it has closed, as in k6. A handler that throws closes the socket and
 * fails the iteration.
 */
import type { ModuleFactory, VuContext } from '../../types.ts';
import { rawText, toArrayBuffer, wsParams, WsSession } from './session.ts';
import { moduleExports } from '../module-exports.ts';

type Listener = (ev: Record<string, unknown>) => unknown;
const EVENTS = ['open', 'message', 'error', 'close', 'ping', 'pong'] as const;
const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

class K6WebSocket {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  readonly CONNECTING = CONNECTING;
  readonly OPEN = OPEN;
  readonly CLOSING = CLOSING;
  readonly CLOSED = CLOSED;

  readonly url: string;
  private _binaryType: 'blob' | 'arraybuffer' = 'blob';
  onopen: Listener | null = null;
  onmessage: Listener | null = null;
  onerror: Listener | null = null;
  onclose: Listener | null = null;
  onping: Listener | null = null;
  onpong: Listener | null = null;
  private readonly listeners = new Map<string, Listener[]>();
  private readonly s: WsSession;
  private failedToOpen = false;

  constructor(vu: VuContext, url: unknown, protocols?: unknown, params?: unknown) {
    if (vu.phase === 'init') throw new Error('WebSocket: using websockets in the init context is not supported (as in k6)');
    if (typeof url !== 'string' || !/^wss?:\/\//.test(url)) throw new SyntaxError(`WebSocket: the URL must start with ws:// or wss://, got "${String(url)}"`);
    this.url = url;
    const p = wsParams(params, 'WebSocket');
    if (protocols !== undefined && protocols !== null) p.protocols = Array.isArray(protocols) ? protocols.map(String) : [String(protocols)];
    this.s = new WsSession(
      vu,
      url,
      p,
      (session) => {
        session.ws.on('message', (data, isBinary) => {
          session.received();
          const payload = !isBinary ? rawText(data) : this._binaryType === 'arraybuffer' ? toArrayBuffer(data) : new Blob([toArrayBuffer(data)]);
          this.dispatch('message', { data: payload, origin: url });
        });
        session.ws.on('ping', () => this.dispatch('ping', {}));
        session.ws.on('pong', () => this.dispatch('pong', {}));
        session.ws.on('error', (err) => this.dispatch('error', { error: err.message, message: err.message }));
        this.dispatch('open', {});
      },
      (err) => {
        this.failedToOpen = true;
        this.dispatch('error', { error: err.message, message: err.message });
      },
    );
    const done = this.s.closed.then(() => {
      this.dispatch('close', { code: this.s.closeCode, reason: '', wasClean: this.s.closeCode === 1000 });
      if (this.s.handlerError) throw this.s.handlerError;
    });
    void vu.track(done);
  }

  get readyState(): number {
    return this.failedToOpen ? CLOSED : this.s.ws.readyState;
  }
  get protocol(): string {
    return this.s.ws.protocol;
  }
  get bufferedAmount(): number {
    return this.s.ws.bufferedAmount;
  }
  get binaryType(): string {
    return this._binaryType;
  }
  set binaryType(v: string) {
    if (v !== 'blob' && v !== 'arraybuffer') throw new SyntaxError(`WebSocket.binaryType must be "blob" or "arraybuffer", got "${String(v)}"`);
    this._binaryType = v;
  }

  addEventListener(type: unknown, fn: unknown): void {
    const name = String(type);
    if (!(EVENTS as readonly string[]).includes(name)) throw new TypeError(`WebSocket.addEventListener: unknown event "${name}" (${EVENTS.join(', ')})`);
    if (typeof fn !== 'function') throw new TypeError(`WebSocket.addEventListener("${name}"): the listener must be a function`);
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn as Listener]);
  }
  removeEventListener(type: unknown, fn: unknown): void {
    const name = String(type);
    this.listeners.set(name, (this.listeners.get(name) ?? []).filter((l) => l !== fn));
  }

  private dispatch(type: string, fields: Record<string, unknown>): void {
    const ev = { type, target: this, timestamp: Date.now(), ...fields };
    const own = (this as unknown as Record<string, unknown>)[`on${type}`];
    for (const fn of [...(typeof own === 'function' ? [own as Listener] : []), ...(this.listeners.get(type) ?? [])]) {
      if (this.s?.handlerError) return;
      try {
        fn.call(this, ev);
      } catch (err) {
        this.s.handlerError = err;
        this.s.ws.terminate();
        return;
      }
    }
  }

  send(data: unknown): void {
    if (this.readyState !== OPEN) throw new Error(`WebSocket.send: the socket is not open (readyState ${this.readyState})`);
    if (data instanceof ArrayBuffer) this.s.send(Buffer.from(data));
    else if (ArrayBuffer.isView(data)) this.s.send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    else if (data instanceof Blob) void data.arrayBuffer().then((b) => this.s.send(Buffer.from(b)));
    else this.s.send(String(data));
  }
  ping(): void {
    this.s.ping();
  }
  close(code?: unknown, reason?: unknown): void {
    this.s.close(code, reason);
  }
}

export const websocketsModule: ModuleFactory = (vu) => {
  // a per-VU constructor: `new WebSocket(url)` needs no VU argument from the script
  const WebSocket = function WebSocket(this: unknown, url: unknown, protocols?: unknown, params?: unknown) {
    if (!new.target) throw new TypeError("WebSocket: use 'new WebSocket(url)'");
    return new K6WebSocket(vu, url, protocols, params);
  } as unknown as typeof K6WebSocket;
  Object.assign(WebSocket, { CONNECTING, OPEN, CLOSING, CLOSED });
  const mod = { WebSocket };
  return moduleExports(mod);
};
