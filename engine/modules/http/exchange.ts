/**
 * One HTTP exchange (request and response on one connection) and the timing capture of its
 * phases. An Exchange is the handler both transports drive (undici's legacy dispatch-handler
 * shape): it stamps each phase with performance.now() (sub-ms): onConnect = the request got a
 * socket and starts writing, onRequestSent = fully written, onResponseStarted = first response
 * byte, onComplete = last byte. For undici the socket a request was written to is learnt from its
 * `undici:client:sendHeaders` diagnostics channel, which undici publishes synchronously right
 * after onConnect; engine/modules/http/h1-connection.ts calls `writtenOn` itself.
 */
import { performance } from 'node:perf_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { connInfoOf, type ConnInfo } from './connector.ts';
import { TurnBatch } from './turn-batch.ts';

const now = () => performance.now();

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
  const { headers, socket } = msg as { headers: string; socket: Socket };
  ex.writtenOn(connInfoOf(socket), headers.length);
});

/**
 * Finished exchanges hand their result to the waiting VU in one batch per event-loop turn
 * (setImmediate) rather than one by one: Node runs a VU's continuation (its script, the next
 * request) between two sockets' reads otherwise, so a response read later in the same turn
 * would be timestamped only after other VUs' script work. Deferring keeps every timestamp at
 * the moment its bytes were parsed, and batches the VUs' next writes.
 */
const DEFER = process.env.AETOS_HTTP_DEFER !== '0';
const finished = new TurnBatch<Exchange>((ex) => ex.done!());

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
  /** undici gives Buffers, h1-connection.ts strings. */
  rawHeaders: Buffer[] | string[] = [];
  /** Bytes read for this response, framing included (h1-connection.ts counts them; 0 from undici). */
  wireBytes = 0;
  chunks: Buffer[] | null;
  bodyBytes = 0;
  error: Error | null = null;
  finished = false;
  /** The connection slot this exchange occupies until it finishes. */
  slot: { busy: number } | null = null;
  private abortFn: ((err?: Error) => void) | null = null;
  private pendingAbort: Error | null = null;
  /** Called once when the exchange ends (set by the client before dispatching). */
  done: (() => void) | null = null;

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
  /**
   * The request's head was written on the socket `info` describes (`headerBytes` long). The
   * first exchange on a socket claims its connect phases.
   */
  writtenOn(info: ConnInfo | undefined, headerBytes: number): void {
    if (writing === this) writing = null;
    this.headerBytes = headerBytes;
    if (info) {
      this.conn = info;
      if (!info.claimed) {
        info.claimed = true;
        this.newConn = true;
      }
    }
  }
  onBodySent(): void {}
  onRequestSent(): void {
    this.tSent = now();
  }
  onResponseStarted(): void {
    if (this.tFirst === 0) this.tFirst = now();
  }
  onHeaders(status: number, rawHeaders: Buffer[] | string[], _resume: () => void, statusText: string): boolean {
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
    if (DEFER) finished.add(this);
    else this.done();
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

  /**
   * The request is sent again on a new socket (h1-connection.ts: the server closed a reused one
   * before answering): its wire phases start over; `blocked` keeps counting from the call.
   */
  restart(): void {
    this.tSend = 0;
    this.tSent = 0;
    this.tFirst = 0;
    this.conn = null;
    this.newConn = false;
    this.headerBytes = 0;
    this.wireBytes = 0;
    this.abortFn = null;
  }

  /** Bytes received on the wire for this response (status line, headers, raw body). */
  receivedBytes(): number {
    if (this.wireBytes !== 0) return this.wireBytes;
    if (this.status === 0) return this.bodyBytes;
    let n = 15 + this.statusText.length; // "HTTP/1.1 200 " (13) + text + CRLF
    const h = this.rawHeaders;
    for (let i = 0; i < h.length; i++) n += h[i]!.length + 2;
    return n + 2 + this.bodyBytes;
  }
}

