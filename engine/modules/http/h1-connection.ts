/**
 * Plain HTTP/1.1 for `http:` origins: one socket, one request at a time, kept alive across
 * requests. This is the load generator's hot path, so it is written here rather than taken from
 * undici's Client, which per request builds a Request object, validates every header again,
 * parses into one Buffer per header name and value, and arms a keep-alive Timeout each time the
 * socket goes idle (bench/RESULTS.md, issue 21: undici was about half of the user CPU per
 * request). `https:` stays on undici's Client: the TLS work dominates there.
 *
 * What is sent is what undici sent, byte for byte: `METHOD path HTTP/1.1`, `host`,
 * `connection: keep-alive` (or `close`), the caller's headers in order, and `content-length` for a
 * body (and for a bodyless POST/PUT/PATCH, as undici). The caller's `host`, `content-length` and
 * `connection` headers are taken as instructions, not copied; `transfer-encoding`, `keep-alive`,
 * `upgrade` and `expect` are refused (code 1020), as undici refuses them.
 *
 * What is read: the status line and headers (names and values as strings, UTF-8), a body framed
 * by Content-Length, chunked (extensions and trailers skipped) or ended by the server closing;
 * no body for HEAD, 204 and 304; 1xx interim responses are skipped. A response ending in
 * `Connection: close` (or HTTP/1.0 without keep-alive) closes the socket after it. Bytes that
 * arrive when no response is due, or a malformed response, close the socket: a connection
 * whose framing is lost cannot be trusted with the next request.
 *
 * A request written on a reused socket that the server closed before sending a byte (its idle
 * timeout raced our write) is sent once more on a new socket when it can be replayed: no body,
 * and GET, HEAD, OPTIONS or TRACE, or an Idempotency-Key header. That is Go's transport's rule,
 * so k6 does the same.
 */
import type { Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { connInfoOf, type ConnInfo, type Connector } from './connector.ts';
import { InvalidUrlError } from './error-codes.ts';
import type { Exchange } from './exchange.ts';
import { TurnBatch } from './turn-batch.ts';

/** Go's http.Transport default (MaxResponseHeaderBytes = 10 << 20); k6 leaves it there. */
const MAX_HEAD_BYTES = 10 << 20;

// parser phases
const IDLE = 0;
const CONNECTING = 1;
const HEAD = 2;
const LENGTH = 3;
const CHUNK_SIZE = 4;
const CHUNK_DATA = 5;
const CHUNK_END = 6;
const TRAILERS = 7;
const UNTIL_CLOSE = 8;

/** Methods undici sends `content-length: 0` for when there is no body. */
const EXPECTS_PAYLOAD = new Set(['PUT', 'POST', 'PATCH', 'QUERY', 'PROPFIND', 'PROPPATCH']);
const REPLAYABLE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const BAD_PATH = /[^\u0021-\u00ff]/;
const CRLF2 = Buffer.from('\r\n\r\n', 'latin1');

/**
 * Every connection of the thread reads into this one buffer (net.connect's `onread`): Node then
 * allocates no buffer per read (otherwise 64 KiB, shrunk to what was read, and an ArrayBuffer
 * for each). The bytes are parsed before the read callback returns; what outlives it (a partial
 * head, a body the script keeps) is copied out.
 */
const readBuffer = Buffer.allocUnsafe(64 * 1024);

/**
 * Connections that went idle in this event-loop turn; unreferenced together in its check phase if
 * still idle. A VU's next request mostly reuses its socket before then (the exchanges' results are
 * handed over by an immediate queued earlier, see exchange.ts), so a busy socket is not unref'd and
 * ref'd again around every request: each is a call through net.Socket into libuv (0.6 % of a 50-VU
 * run's samples, issue 21).
 */
const goneIdle = new TurnBatch<H1Connection>((c) => c.unrefIfIdle());

/** The server closed the socket before the response ended. Mapped to k6's 1200 (tcp). */
export class SocketClosedError extends Error {
  readonly code = 'AETOS_SOCKET_CLOSED';
  constructor(message = 'other side closed') {
    super(message);
  }
}

/** The response broke HTTP/1.1 framing. Mapped to k6's 1000 (generic). */
export class ResponseParseError extends Error {
  readonly code = 'AETOS_HTTP_PARSE';
}

/** A caller's header list turned into what goes on the wire (computed once per list object). */
interface PreparedHeaders {
  /** `name: value\r\n` for every header that is sent as given. */
  block: string;
  host: string | null;
  close: boolean;
  idempotencyKey: boolean;
  error: Error | null;
}

function prepareHeaders(list: readonly string[]): PreparedHeaders {
  const out: PreparedHeaders = { block: '', host: null, close: false, idempotencyKey: false, error: null };
  // the caller's content-length is checked as undici checks it; the body's own length is what is sent
  let sawLength = false;
  for (let i = 0; i < list.length; i += 2) {
    const key = list[i]!;
    const val = list[i + 1] ?? '';
    const name = key.toLowerCase();
    if (!TOKEN.test(name)) return fail(out, 'invalid header key');
    if (BAD_VALUE.test(val)) return fail(out, `invalid ${key} header`);
    switch (name) {
      case 'host':
        if (out.host !== null) return fail(out, 'duplicate host header');
        out.host = val;
        break;
      case 'content-length':
        if (sawLength) return fail(out, 'duplicate content-length header');
        if (!/^\d+$/.test(val)) return fail(out, 'invalid content-length header');
        sawLength = true;
        break;
      case 'transfer-encoding':
      case 'keep-alive':
      case 'upgrade':
        return fail(out, `invalid ${name} header`);
      case 'expect':
        return fail(out, 'expect header not supported');
      case 'connection':
        for (const token of val.toLowerCase().split(',')) {
          const t = token.trim();
          if (!TOKEN.test(t)) return fail(out, 'invalid connection header');
          if (t === 'close') out.close = true;
        }
        break;
      default:
        if (name === 'idempotency-key' || name === 'x-idempotency-key') out.idempotencyKey = true;
        out.block += `${key}: ${val}\r\n`;
    }
  }
  return out;
}

function fail(out: PreparedHeaders, message: string): PreparedHeaders {
  out.error = new InvalidUrlError(message);
  return out;
}

type Body = Buffer | string | Buffer[] | undefined | null;

function bodyLength(body: Body): number {
  if (body === undefined || body === null) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (Array.isArray(body)) {
    let n = 0;
    for (let i = 0; i < body.length; i++) n += body[i]!.length;
    return n;
  }
  return body.length;
}

/** What a response head says (status line, headers, the body's framing), read once per distinct head. */
interface ResponseHead {
  status: number;
  statusText: string;
  /** [name, value, …] as sent; frozen once kept, since responses then share it. */
  raw: string[];
  /** -1 when absent. */
  contentLength: number;
  chunked: boolean;
  /** A Transfer-Encoding whose last coding is not chunked: the body runs to the close. */
  otherCoding: boolean;
  connClose: boolean;
  /** The head's bytes (set when it is kept for comparison with the next one). */
  bytes: Buffer | null;
}

/** The head's text (status line and header lines, without the final CRLFCRLF), or why it is malformed. */
function parseResponseHead(head: string): ResponseHead | string {
  let eol = head.indexOf('\r\n');
  if (eol === -1) eol = head.length;
  // "HTTP/1.1 200 OK": version, three digits, an optional reason
  if (!head.startsWith('HTTP/1.') || eol < 12 || (eol > 12 && head.charCodeAt(12) !== 32)) return `malformed HTTP response "${head.slice(0, Math.min(eol, 40))}"`;
  const minor = head.charCodeAt(7) - 48;
  const status = Number(head.slice(9, 12));
  if (head.charCodeAt(8) !== 32 || !(status >= 100 && status <= 999) || minor < 0 || minor > 9)
    return `malformed HTTP status line "${head.slice(0, Math.min(eol, 40))}"`;
  const out: ResponseHead = {
    status,
    statusText: eol > 13 ? head.slice(13, eol) : '',
    raw: [],
    contentLength: -1,
    chunked: false,
    otherCoding: false,
    connClose: minor === 0,
    bytes: null,
  };
  let p = eol + 2;
  while (p < head.length) {
    let e = head.indexOf('\r\n', p);
    if (e === -1) e = head.length;
    const c0 = head.charCodeAt(p);
    const colon = head.indexOf(':', p);
    if (c0 === 32 || c0 === 9 || colon === -1 || colon > e || colon === p) return `malformed HTTP header line "${head.slice(p, Math.min(e, p + 40))}"`;
    const name = head.slice(p, colon);
    let vs = colon + 1;
    let ve = e;
    while (vs < ve && (head.charCodeAt(vs) === 32 || head.charCodeAt(vs) === 9)) vs++;
    while (ve > vs && (head.charCodeAt(ve - 1) === 32 || head.charCodeAt(ve - 1) === 9)) ve--;
    const value = head.slice(vs, ve);
    out.raw.push(name, value);
    switch (name.length) {
      case 10:
        if (name.toLowerCase() === 'connection') {
          const v = value.toLowerCase();
          if (v.includes('close')) out.connClose = true;
          else if (minor === 0 && v.includes('keep-alive')) out.connClose = false;
        }
        break;
      case 14:
        if (name.toLowerCase() === 'content-length') {
          const n = /^\d{1,15}$/.test(value) ? Number(value) : -2;
          if (n === -2 || (out.contentLength >= 0 && out.contentLength !== n)) return `invalid Content-Length "${value}"`;
          out.contentLength = n;
        }
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') {
          // the last coding decides: chunked frames the body, anything else runs to the close
          const last = value.toLowerCase().split(',').at(-1)!.trim();
          out.chunked = last === 'chunked';
          out.otherCoding = !out.chunked;
        }
        break;
    }
    p = e + 2;
  }
  return out;
}

/**
 * `known` when buf holds its bytes at `pos`, followed by the CRLFCRLF: then the head ends there,
 * as it did when it was first read (the same bytes, so the same first CRLFCRLF). Up to ~90 bytes a
 * loop costs less than a call into Buffer.compare (78 against 110 ns for 66 bytes); beyond, the
 * call's memcmp wins (90 against 650 ns for 300 bytes, a typical server's head).
 */
function headAt(known: ResponseHead | null, buf: Buffer, pos: number): ResponseHead | null {
  if (known === null) return null;
  const bytes = known.bytes!;
  const n = bytes.length;
  const e = pos + n;
  if (buf.length < e + 4 || buf[e] !== 13 || buf[e + 1] !== 10 || buf[e + 2] !== 13 || buf[e + 3] !== 10) return null;
  if (n > 96) return buf.compare(bytes, 0, n, pos, e) === 0 ? known : null;
  for (let i = 0; i < n; i++) if (bytes[i] !== buf[pos + i]) return null;
  return known;
}

export interface H1Target {
  /** URL.host: the `host` header ("127.0.0.1:8080", "[::1]:80", "example.com"). */
  host: string;
  /** URL.hostname without IPv6 brackets: what is dialled. */
  hostname: string;
  /** URL.port ('' for 80). */
  port: string;
}

export class H1Connection {
  private socket: Socket | null = null;
  private info: ConnInfo | undefined = undefined;
  private ex: Exchange | null = null;
  private req: Dispatcher.DispatchOptions | null = null;
  private phase = IDLE;
  /** Responses completed on the current socket: a request on a socket with one or more is on a reused socket. */
  private served = 0;
  private reusedSocket = false;
  private retried = false;
  private gotBytes = false;
  private pending: Buffer | null = null;
  private remaining = 0;
  private headLimit = 0;
  private closeAfter = false;
  private noBody = false;
  private refd = true;
  /** In goneIdle, waiting for the turn's check phase. */
  private idleQueued = false;
  private closing: (() => void) | null = null;
  /** close() or destroy() was called: a socket that connects later is closed at once. */
  private dead = false;
  private lastList: readonly string[] | null = null;
  private lastPrepared: PreparedHeaders | null = null;
  /**
   * The last bodyless request's bytes, and what they were built from: a VU's next request is
   * mostly the same one, written again as the same Buffer instead of a string built and encoded
   * again (the head's template, the flattening of its parts, the latin1 encoding: ~2 % of a
   * request's user CPU, issue 21).
   */
  private lastHead: { prep: PreparedHeaders; method: string; path: string; close: boolean; bytes: Buffer; headLength: number } | null = null;
  /** The last final response head read on this connection, parsed: the next one is compared with it byte for byte. */
  private lastHeadRead: ResponseHead | null = null;

  /** net.connect's `onread` (plain TCP from our connector): reads land in the thread's buffer. */
  private readonly onread = {
    buffer: readBuffer,
    callback: (n: number): boolean => {
      this.read(readBuffer.subarray(0, n));
      return true;
    },
  };
  /** A socket that does not take `onread` (another connector) delivers 'data' events instead. */
  private readonly onData = (chunk: Buffer): void => this.read(chunk);
  private readonly onEnd = (): void => this.ended(null);
  private readonly onError = (err: Error): void => this.ended(err);
  private readonly onClose = (): void => this.ended(null);
  /** Handed to each exchange at onConnect: ends it by closing the socket (timeout, interrupt). */
  private readonly abortCurrent = (): void => {
    this.ex = null;
    this.req = null;
    this.drop();
  };

  constructor(
    private readonly target: H1Target,
    private readonly connect: Connector,
  ) {}

  /** A socket is open (tests, diagnostics). */
  get connected(): boolean {
    return this.socket !== null && !this.socket.destroyed;
  }

  dispatch(opts: Dispatcher.DispatchOptions, ex: Exchange): void {
    if (this.ex !== null && !this.ex.finished && this.phase !== CONNECTING) {
      ex.onError(new Error('internal: a second request on a busy connection'));
      return;
    }
    this.ex = ex;
    this.req = opts;
    this.retried = false;
    if (this.phase === CONNECTING) return; // written when the socket is ready
    // a socket destroyed since its last response (its 'close' not yet delivered) takes no request
    if (this.socket !== null && this.socket.destroyed) this.drop();
    if (this.socket === null) this.open();
    else this.write();
  }

  /** Closes the socket once the request in flight (if any) has ended. */
  close(): Promise<void> {
    this.dead = true;
    if (this.ex === null || this.ex.finished) {
      this.ex = null;
      this.drop();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.closing = resolve;
    });
  }

  /** Closes the socket now; a request in flight ends with an error. */
  destroy(): Promise<void> {
    this.dead = true;
    const ex = this.ex;
    this.ex = null;
    this.drop();
    if (ex !== null && !ex.finished) ex.onError(new SocketClosedError('the connection was closed by the client'));
    return Promise.resolve();
  }

  private open(): void {
    this.phase = CONNECTING;
    const t = this.target;
    this.connect(
      { host: t.host, hostname: t.hostname, protocol: 'http:', port: t.port, servername: undefined, localAddress: null, httpSocket: undefined, onread: this.onread },
      (err, s) => this.opened(err, s as Socket | null),
    );
  }

  private opened(err: Error | null, s: Socket | null): void {
    this.phase = IDLE;
    const ex = this.ex;
    if (err !== null || s === null) {
      this.ex = null;
      if (ex !== null && !ex.finished) ex.onError(err ?? new SocketClosedError('connect failed'));
      this.settleClosing();
      return;
    }
    if (this.dead && (ex === null || ex.finished)) {
      this.ex = null;
      s.destroy();
      this.settleClosing();
      return;
    }
    s.on('data', this.onData);
    s.on('end', this.onEnd);
    s.on('error', this.onError);
    s.on('close', this.onClose);
    this.socket = s;
    this.refd = true;
    this.info = connInfoOf(s);
    this.served = 0;
    if (ex === null || ex.finished) {
      this.ex = null;
      this.idle();
      return;
    }
    this.write();
  }

  /** Writes the current exchange's request on the open socket. */
  private write(): void {
    const ex = this.ex!;
    const opts = this.req!;
    const sock = this.socket!;
    const list = opts.headers as readonly string[] | undefined;
    let prep: PreparedHeaders;
    if (list === this.lastList && this.lastPrepared !== null) prep = this.lastPrepared;
    else {
      prep = prepareHeaders(list ?? []);
      this.lastList = list ?? null;
      this.lastPrepared = prep;
    }
    const method = opts.method;
    const path = opts.path;
    if (prep.error !== null || BAD_PATH.test(path)) {
      this.ex = null;
      this.idle();
      ex.onError(prep.error ?? new InvalidUrlError('invalid request path'));
      return;
    }
    this.reusedSocket = this.served > 0;
    this.gotBytes = false;
    this.pending = null;
    this.phase = HEAD;
    this.headLimit = MAX_HEAD_BYTES;
    this.noBody = method === 'HEAD';
    // undici closes after a HEAD unless told otherwise (a server may send a body anyway)
    const close = prep.close || (opts.reset ?? method === 'HEAD');
    this.closeAfter = close;
    ex.onConnect(this.abortCurrent);
    if (ex.finished || this.ex !== ex) return; // aborted before a byte was written
    if (!this.refd) {
      sock.ref();
      this.refd = true;
    }
    const body = opts.body as Body;
    const len = bodyLength(body);
    const last = this.lastHead;
    if (len === 0 && last !== null && last.prep === prep && last.path === path && last.method === method && last.close === close) {
      ex.writtenOn(this.info, last.headLength);
      sock.write(last.bytes);
      ex.onRequestSent();
      return;
    }
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${prep.host ?? this.target.host}\r\n${close ? 'connection: close\r\n' : 'connection: keep-alive\r\n'}${prep.block}`;
    const headLength = head.length;
    ex.writtenOn(this.info, headLength);
    if (len === 0) {
      head += EXPECTS_PAYLOAD.has(method) ? 'content-length: 0\r\n\r\n' : '\r\n';
      // Its own memory, not a slice of Buffer's shared pool: kept for the connection's life, a pooled
      // slice would keep its whole 8 KiB slab alive. Never changed once written (Node may still be
      // sending it).
      const bytes = Buffer.allocUnsafeSlow(head.length);
      bytes.write(head, 0, 'latin1');
      this.lastHead = { prep, method, path, close, bytes, headLength };
      sock.write(bytes);
    } else {
      sock.cork();
      sock.write(`${head}content-length: ${len}\r\n\r\n`, 'latin1');
      if (typeof body === 'string') sock.write(body, 'utf8');
      else if (Array.isArray(body)) for (let i = 0; i < body.length; i++) sock.write(body[i]!);
      else sock.write(body!);
      sock.uncork();
    }
    ex.onRequestSent();
  }

  /** Response bytes from the socket. */
  private read(chunk: Buffer): void {
    const ex = this.ex;
    if (ex === null || this.phase < HEAD) {
      this.drop(); // bytes nobody asked for: the framing of this connection is lost
      return;
    }
    ex.wireBytes += chunk.length;
    if (!this.gotBytes) {
      this.gotBytes = true;
      ex.onResponseStarted();
    }
    let buf = chunk;
    if (this.pending !== null) {
      buf = Buffer.concat([this.pending, chunk]); // a copy: nothing below refers to the read buffer
      this.pending = null;
    }
    const keep = ex.chunks !== null;
    let pos = 0;
    while (pos < buf.length) {
      switch (this.phase) {
        case HEAD: {
          // the last head again (most responses): its end is known without a search
          const known = headAt(this.lastHeadRead, buf, pos);
          const end = known !== null ? pos + known.bytes!.length : buf.indexOf(CRLF2, pos);
          if (end === -1) {
            if (buf.length - pos > this.headLimit) return this.broken(`server response headers exceeded ${MAX_HEAD_BYTES} bytes; aborted`);
            this.pending = Buffer.from(buf.subarray(pos));
            return;
          }
          if (!this.parseHead(ex, buf, pos, end, known)) return;
          pos = end + 4;
          if (this.ex !== ex) return; // the head ended the exchange (no body)
          break;
        }
        case LENGTH: {
          const n = Math.min(this.remaining, buf.length - pos);
          const part = pos === 0 && n === buf.length ? buf : buf.subarray(pos, pos + n);
          ex.onData(keep ? Buffer.from(part) : part);
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) return this.complete(buf.length - pos);
          break;
        }
        case UNTIL_CLOSE:
          ex.onData(keep ? Buffer.from(buf.subarray(pos)) : buf.subarray(pos));
          return;
        case CHUNK_SIZE: {
          const eol = buf.indexOf(10, pos);
          if (eol === -1) {
            if (buf.length - pos > 4096) return this.broken('chunk size line too long');
            this.pending = Buffer.from(buf.subarray(pos));
            return;
          }
          const m = /^([0-9a-fA-F]{1,13})[ \t]*(?:;[^\r]*)?\r?$/.exec(buf.toString('latin1', pos, eol));
          if (m === null) return this.broken('invalid chunk size');
          pos = eol + 1;
          this.remaining = Number.parseInt(m[1]!, 16);
          this.phase = this.remaining === 0 ? TRAILERS : CHUNK_DATA;
          break;
        }
        case CHUNK_DATA: {
          const n = Math.min(this.remaining, buf.length - pos);
          ex.onData(keep ? Buffer.from(buf.subarray(pos, pos + n)) : buf.subarray(pos, pos + n));
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            this.phase = CHUNK_END;
            this.remaining = 2;
          }
          break;
        }
        case CHUNK_END: {
          // the CRLF after a chunk's data (a bare LF is taken, as Go's reader does)
          const c = buf[pos]!;
          if (this.remaining === 2 && c === 13) {
            this.remaining = 1;
            pos++;
          } else if (c === 10) {
            pos++;
            this.phase = CHUNK_SIZE;
          } else return this.broken('invalid chunk end');
          break;
        }
        case TRAILERS: {
          const eol = buf.indexOf(10, pos);
          if (eol === -1) {
            if (buf.length - pos > this.headLimit) return this.broken('trailers too long');
            this.pending = Buffer.from(buf.subarray(pos));
            return;
          }
          const empty = eol === pos || (eol === pos + 1 && buf[pos] === 13);
          this.headLimit -= eol + 1 - pos;
          pos = eol + 1;
          if (empty) return this.complete(buf.length - pos);
          break;
        }
        default:
          return this.broken('unexpected state');
      }
    }
  }

  /**
   * The head in buf[start, end) (end = the CRLFCRLF), `known` when it is the last one read.
   * Sets the body's framing, or ends the exchange when there is no body. False when the head was
   * malformed (the exchange is ended).
   */
  private parseHead(ex: Exchange, buf: Buffer, start: number, end: number, known: ResponseHead | null): boolean {
    let head = known;
    if (head === null) {
      const parsed = parseResponseHead(buf.toString('utf8', start, end));
      if (typeof parsed === 'string') {
        this.broken(parsed);
        return false;
      }
      head = parsed;
      // Kept for the next response on this connection when it is a final one: a server mostly
      // answers a repeated request with the same head, byte for byte.
      if (head.status >= 200) {
        const bytes = Buffer.allocUnsafeSlow(end - start); // its own memory: no pool slab kept alive with it
        buf.copy(bytes, 0, start, end);
        head.bytes = bytes;
        Object.freeze(head.raw);
        this.lastHeadRead = head;
      }
    }
    const { status } = head;
    if (status < 200) {
      if (status === 101) {
        this.ex = null;
        this.drop();
        ex.onUpgrade();
        return false;
      }
      return true; // an interim response (100 Continue, 103 Early Hints): the real one follows
    }
    this.headLimit = MAX_HEAD_BYTES; // trailers get their own allowance
    if (head.connClose) this.closeAfter = true;
    ex.onHeaders(status, head.raw, noop, head.statusText);
    if (this.ex !== ex) return true; // ended by its handler
    if (this.noBody || status === 204 || status === 304) {
      this.complete(buf.length - end - 4);
      return true;
    }
    if (head.chunked) this.phase = CHUNK_SIZE;
    else if (head.otherCoding || head.contentLength < 0) {
      this.phase = UNTIL_CLOSE;
      this.closeAfter = true;
    } else if (head.contentLength === 0) this.complete(buf.length - end - 4);
    else {
      this.phase = LENGTH;
      this.remaining = head.contentLength;
    }
    return true;
  }

  /** The response ended; `extra` bytes followed it in the same read (none are due: no pipelining). */
  private complete(extra: number): void {
    const ex = this.ex!;
    this.ex = null;
    this.req = null;
    this.served++;
    // the exchange first: it queues the immediate that hands its result over before idle() queues
    // the one that unrefs idle sockets, so a VU that goes on at once finds its socket still held
    ex.onComplete();
    if (this.closeAfter || extra > 0) this.drop();
    else this.idle();
  }

  /** The response broke the protocol: the exchange fails and the socket is closed. */
  private broken(message: string): void {
    const ex = this.ex;
    this.ex = null;
    this.req = null;
    this.drop();
    if (ex !== null) ex.onError(new ResponseParseError(message));
  }

  /** The socket ended (server closed, reset, or error). */
  private ended(err: Error | null): void {
    if (this.socket === null) return;
    const ex = this.ex;
    const opts = this.req;
    const phase = this.phase;
    this.drop();
    if (ex === null || ex.finished) {
      this.ex = null;
      return;
    }
    if (phase === UNTIL_CLOSE && err === null) {
      this.ex = null;
      this.req = null;
      ex.onComplete();
      return;
    }
    if (!this.gotBytes && this.reusedSocket && !this.retried && opts !== null && this.replayable(opts)) {
      // the server closed an idle connection as we wrote on it: once more, on a new socket
      this.retried = true;
      ex.restart();
      this.open();
      return;
    }
    this.ex = null;
    this.req = null;
    ex.onError(err ?? new SocketClosedError());
  }

  private replayable(opts: Dispatcher.DispatchOptions): boolean {
    if (bodyLength(opts.body as Body) !== 0) return false;
    return REPLAYABLE.has(opts.method) || this.lastPrepared?.idempotencyKey === true;
  }

  /** Between requests: the idle socket does not hold the thread open (as undici), from the end of this turn (goneIdle). */
  private idle(): void {
    this.phase = IDLE;
    if (this.refd && this.socket !== null && !this.idleQueued) {
      this.idleQueued = true;
      goneIdle.add(this);
    }
    this.settleClosing();
  }

  /** goneIdle's handler: lets go of the socket unless a request took it since it went idle. */
  unrefIfIdle(): void {
    this.idleQueued = false;
    if (this.refd && this.socket !== null && this.phase === IDLE && this.ex === null) {
      this.socket.unref();
      this.refd = false;
    }
  }

  /** Closes the socket (if any) and forgets it. */
  private drop(): void {
    const s = this.socket;
    this.socket = null;
    this.pending = null;
    this.phase = IDLE;
    if (s !== null) {
      s.removeListener('data', this.onData);
      s.removeListener('end', this.onEnd);
      s.removeListener('close', this.onClose);
      // an error the old socket still emits (a failed write) must not end the next socket's request
      s.removeListener('error', this.onError);
      s.on('error', noop);
      s.destroy();
    }
    this.settleClosing();
  }

  private settleClosing(): void {
    if (this.closing === null) return;
    if (this.ex !== null && !this.ex.finished) return;
    const resolve = this.closing;
    this.closing = null;
    const s = this.socket;
    this.socket = null;
    if (s !== null) s.destroy();
    resolve();
  }
}

function noop(): void {}
