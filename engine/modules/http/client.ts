/**
 * One VU's HTTP client: turns a k6 request call into exchanges (exchange.ts, one per redirect hop),
 * applies the VU's options and the call's params, keeps the VU's cookie jar, emits each hop's
 * samples, and builds k6's Response. Network errors become a status-0 response with k6's
 * error/error_code (thrown only with `throw: true`); an interrupted iteration rejects with
 * IterationInterrupted.
 */
import { performance } from 'node:perf_hooks';
import { type Linked, LinkedSet } from '../../linked-set.ts';
import type { Tags, VuContext } from '../../types.ts';
import { bodyBuffer, bodyText, encodeBody, type EncodedBody } from './body.ts';
import { compressBody, decodeBody } from './compression.ts';
import { credentialsOf, digestAuthorization, ntlmAuthorization } from './auth.ts';
import { ConnectBlocklist } from './blocklist.ts';
import { CookieJar, vuCookieJars } from './cookies.ts';
import { parseDurationMs } from './duration.ts';
import { classifyError, ErrorCode, InvalidUrlError, RequestTimeoutError, statusErrorCode } from './error-codes.ts';
import { defaultResponseCallback, type ExpectedStatuses } from './expected.ts';
import { foldRawHeaders, rawHeaderValue, rawHeaderValues } from './headers.ts';
import { httpDebugMode, logRequest, logResponse, type HttpDebug } from './debug.ts';
import { DataCounter, emitHop } from './metrics.ts';
import { defaultParams, resolveParams, type ParamDefaults, type ResolvedParams } from './params.ts';
import { RequestInfo, Response } from './response.ts';
import { TaggedUrl } from './tagged-url.ts';
import type { TransportOptions } from './connector.ts';
import { Exchange, type Timings } from './exchange.ts';
import { VuConnections } from './transport.ts';

export const DEFAULT_USER_AGENT = 'aetos-load/0.1 (k6 compatible)';

/** A request URL, parsed once and cached per VU (scripts hit the same URLs over and over). */
interface ParsedUrl {
  /** What the url tag and response.url show (credentials masked as ****:****). */
  tag: string;
  href: string;
  origin: string;
  path: string;
  hostname: string;
  protocol: string;
  pathname: string;
  /** "host:port" for error messages. */
  target: string;
  /** base64 user:pass from the URL, or ''. */
  auth: string;
}

/**
 * Parsed URLs, shared by all VUs of the process (a parse result holds no per-VU state): scripts
 * hit the same URLs over and over, and a per-VU cache would cost each VU hundreds of kilobytes.
 */
const urlCache = new Map<string, ParsedUrl>();
const URL_CACHE_MAX = 4096;

/** Thrown by request functions with `throw: true` on a network error; `code` is k6's error code. */
export class HttpRequestError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'HttpRequestError';
  }
}

/** State of one in-flight request call (all its hops). */
class Call implements Linked<Call> {
  current: Exchange | null = null;
  interrupted: Error | null = null;
  /** performance.now() at which the call times out (Infinity: no timeout). */
  deadline = Infinity;
  prev: Call | null = null;
  next: Call | null = null;
  linked = false;
  stop(err: Error): void {
    this.current?.abort(err);
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** `response.request.cookies` of a request that sent none: shared by such requests, so frozen. */
const noCookies: RequestInfo['cookies'] = Object.freeze({});

/** Methods whose requests carry a content-length even with no body (as undici decides). */
const EXPECTS_PAYLOAD = new Set(['PUT', 'POST', 'PATCH', 'QUERY', 'PROPFIND', 'PROPPATCH']);

/**
 * Bytes of the `content-length: N\r\n` line undici writes after the header block it reports on
 * its diagnostics channel (so data_sent counts what crossed the socket).
 */
function contentLengthLine(method: string, enc: EncodedBody | null): number {
  const n = enc ? enc.length : 0;
  if (n === 0 && !EXPECTS_PAYLOAD.has(method)) return 0;
  return 18 + String(n).length;
}

/** k6 shows URL credentials as `****:****@` (or `****@`) in tags and messages, never in clear. */
function maskCredentials(u: URL): string {
  const masked = new URL(u.href);
  masked.username = '****';
  masked.password = u.password ? '****' : '';
  return masked.href;
}

/** k6 options this module does not implement: warned about once, never silently ignored. */
const UNSUPPORTED_OPTIONS = ['tlsCipherSuites', 'tlsAuth', 'localIPs', 'rps'];

const statusStrings: string[] = [];
/** "200" etc. without a new string per request. */
function statusText(status: number): string {
  return (statusStrings[status] ??= String(status));
}

function tlsVersionName(v: string): string {
  const m = /^TLSv(\d)(?:\.(\d))?$/.exec(v);
  return m ? `tls${m[1]}.${m[2] ?? '0'}` : v;
}

/** Same names and values in the same order. */
function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function opt<T>(options: Readonly<Record<string, unknown>>, key: string, fallback: T): T {
  const v = options[key];
  return v === undefined || v === null ? fallback : (v as T);
}

export class HttpClient {
  connections: VuConnections;
  readonly jar = new CookieJar();
  responseCallback: ExpectedStatuses | null = defaultResponseCallback;
  readonly batchLimit: number;
  readonly batchPerHost: number;
  private readonly userAgent: string;
  private readonly noConnectionReuse: boolean;
  private readonly debug: HttpDebug;
  private readonly defaults: ParamDefaults;
  private readonly baseParams: ResolvedParams;
  private readonly transport: TransportOptions;
  private readonly inflight = new LinkedSet<Call>();
  /**
   * One timer for the timeouts of every call in flight, due at the earliest deadline when armed.
   * A call that ends leaves it armed: the next call's deadline is later, and when the timer fires
   * with nothing expired it re-arms for what is left. So a VU's requests create a timer about once
   * per timeout period, not one each (a Timeout and a closure per request, ~300 B).
   */
  private timeoutTimer: NodeJS.Timeout | null = null;
  private timeoutDue = Infinity;
  private readonly onTimeouts = (): void => {
    this.timeoutTimer = null;
    this.timeoutDue = Infinity;
    const t = performance.now();
    let next = Infinity;
    for (const c of this.inflight.toArray()) {
      if (c.deadline <= t) c.stop(new RequestTimeoutError());
      else if (c.deadline < next) next = c.deadline;
    }
    if (next !== Infinity) this.armTimeouts(next);
  };
  private readonly data: DataCounter;
  /** The last request's tag set and what it was built from: a VU's requests mostly repeat it. */
  private lastTags: {
    method: string;
    url: string;
    name: string | undefined;
    status: number;
    errorCode: number;
    error: string;
    tlsVersion: string;
    failed: boolean | null;
    tags: Tags;
  } | null = null;
  private closed = false;
  /** What buildHeaders gave the last plain request (shared, read-only) and the params headers it was built from. */
  private plainHeaders: { from: readonly string[]; result: { list: string[]; cookies: RequestInfo['cookies'] } } | null = null;

  constructor(private readonly vu: VuContext) {
    const o = vu.options ?? {};
    this.userAgent = o.userAgent === undefined || o.userAgent === null ? DEFAULT_USER_AGENT : String(o.userAgent);
    this.noConnectionReuse = !!o.noConnectionReuse;
    this.debug = httpDebugMode(o.httpDebug);
    this.batchLimit = Number(opt(o, 'batch', 20)) || 0;
    this.batchPerHost = Number(opt(o, 'batchPerHost', 6)) || 0;
    this.defaults = {
      redirects: Number(opt(o, 'maxRedirects', 10)),
      timeoutMs: 60_000,
      responseType: o.discardResponseBodies ? 'none' : 'text',
      throw: !!o.throw,
    };
    this.baseParams = defaultParams(this.defaults);
    this.transport = {
      hosts: o.hosts as Record<string, string> | undefined,
      insecureSkipTLSVerify: !!o.insecureSkipTLSVerify,
      tlsVersion: o.tlsVersion,
      blocklist: new ConnectBlocklist(o.blacklistIPs, o.blockHostnames),
    };
    this.connections = new VuConnections(this.transport);
    vuCookieJars.set(vu, this.jar);
    this.data = new DataCounter(vu);
    for (const name of UNSUPPORTED_OPTIONS) {
      const v = o[name];
      if (v !== undefined && v !== null && v !== 0 && !(Array.isArray(v) && v.length === 0) && v !== '')
        vu.log.once(`http:unsupported-option:${name}`, 'warning', `option ${name} is not supported by the aetos-load engine's k6/http and is ignored; use --runner k6 if you need it`);
    }
    const noCookiesReset = !!o.noCookiesReset;
    const noVUConnectionReuse = !!o.noVUConnectionReuse;
    vu.on('iterationStart', () => {
      if (!noCookiesReset) this.jar.reset();
      if (noVUConnectionReuse) {
        const old = this.connections;
        this.connections = new VuConnections(this.transport);
        void old.close();
      }
    });
    vu.on('iterationEnd', () => this.data.flush());
    // an interrupted iteration ends its requests in flight at once (k6 cancels their context)
    vu.onInterrupt((err) => {
      for (const c of this.inflight.toArray()) {
        c.interrupted = err;
        c.stop(err);
      }
    });
    vu.on('close', async () => {
      this.closed = true;
      if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
      this.data.flush();
      await this.connections.destroy();
    });
  }

  /** Parses a duration-like timeout; exposed for batch params. */
  static timeout(v: unknown): number {
    return parseDurationMs(v, 'params.timeout');
  }

  private parseUrl(s: string): ParsedUrl {
    const hit = urlCache.get(s);
    if (hit) return hit;
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      throw new InvalidUrlError(`invalid URL ${JSON.stringify(s)}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new InvalidUrlError(`unsupported protocol scheme "${u.protocol.replace(/:$/, '')}" in ${JSON.stringify(s)}`);
    let auth = '';
    let tag = s;
    if (u.username || u.password) {
      auth = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
      tag = maskCredentials(u);
    }
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    const p: ParsedUrl = {
      tag,
      href: u.href,
      origin: u.origin,
      path: u.pathname + u.search,
      hostname: u.hostname,
      protocol: u.protocol,
      pathname: u.pathname,
      target: `${u.hostname}:${port}`,
      auth,
    };
    if (urlCache.size >= URL_CACHE_MAX) urlCache.clear();
    urlCache.set(s, p);
    return p;
  }

  /** k6's http.request(method, url, body, params). */
  async request(methodIn: unknown, urlIn: unknown, body?: unknown, paramsIn?: unknown): Promise<Response> {
    if (this.closed) throw new Error('http: the VU has been closed');
    if (this.vu.phase === 'init')
      throw new Error('making HTTP requests in the init context is not supported (as in k6): move the request into the default function, setup() or teardown()');
    const interrupted = this.vu.interruption;
    if (interrupted) throw interrupted;
    let method = methodIn === 'GET' || methodIn === 'POST' ? methodIn : String(methodIn ?? 'GET').toUpperCase();
    const p = resolveParams(paramsIn, this.defaults, this.baseParams);
    let urlStr: string;
    let name: string | undefined;
    if (urlIn instanceof TaggedUrl) {
      urlStr = urlIn.url;
      name = urlIn.name;
    } else urlStr = urlIn instanceof URL ? urlIn.href : String(urlIn);
    if (p.tags?.name !== undefined) name = p.tags.name;

    let u: ParsedUrl;
    try {
      u = this.parseUrl(urlStr);
    } catch (e) {
      return this.failedBeforeSend(method, urlStr, name, p, e as Error);
    }
    let enc: EncodedBody | null = encodeBody(body);
    if (enc && p.compression && p.compression.length) {
      const c = compressBody(bodyBuffer(enc), p.compression);
      enc = { payload: c, length: c.length, contentType: enc.contentType };
    }
    const jar = p.jar ?? this.jar;
    const cb = p.responseCallback === undefined ? this.responseCallback : p.responseCallback;
    const keepBody = p.responseType !== 'none';
    const originalHost = u.hostname;

    const call = new Call();
    this.inflight.add(call);
    if (p.timeoutMs > 0) {
      call.deadline = performance.now() + p.timeoutMs;
      if (call.deadline < this.timeoutDue) this.armTimeouts(call.deadline);
    }
    /** digest/ntlm: the Authorization answering the last 401 challenge, and how many were answered. */
    let authorization: string | null = null;
    let authRounds = 0;
    try {
      for (let hop = 0; ; hop++) {
        const headers = this.buildHeaders(u, p, jar, enc, u.hostname === originalHost, authorization);
        if (this.debug) {
          const sentBody = enc;
          logRequest(this.vu.log, this.debug, method, u.tag, headers.list, () => bodyText(sentBody));
        }
        const ex = new Exchange(keepBody);
        await this.exchange(call, ex, u, method, headers.list, enc);
        if (call.interrupted) throw call.interrupted;
        const timings = ex.timings();
        const time = Date.now();
        const sent = ex.headerBytes ? ex.headerBytes + contentLengthLine(method, enc) + 2 + (enc ? enc.length : 0) : 0;
        this.data.add(sent, ex.receivedBytes());

        if (ex.error) {
          const ce = classifyError(ex.error, u.target);
          this.emit(method, u.tag, name, 0, ce.code, ce.message, '', cb, p, timings, time);
          return this.errorResponse(method, u, p, headers, enc, timings, ce.code, ce.message);
        }
        const status = ex.status;
        const setCookies = rawHeaderValues(ex.rawHeaders, 'set-cookie');
        if (setCookies.length) jar.setFromResponse(u, setCookies);
        const tlsVersion = ex.conn?.tlsVersion ? tlsVersionName(ex.conn.tlsVersion) : '';
        this.emit(method, u.tag, name, status, statusErrorCode(status), '', tlsVersion, cb, p, timings, time);
        if (this.debug) {
          const body = ex.chunks ? Buffer.concat(ex.chunks).toString('utf8') : null;
          logResponse(this.vu.log, this.debug, `${status} ${ex.statusText}`, foldRawHeaders(ex.rawHeaders), body);
        }

        if (status === 401 && u.auth && (p.auth === 'digest' || p.auth === 'ntlm') && authRounds < (p.auth === 'ntlm' ? 2 : 1)) {
          const challenges = rawHeaderValues(ex.rawHeaders, 'www-authenticate');
          const cred = credentialsOf(u.auth);
          let next: string | null;
          try {
            next = p.auth === 'digest' ? digestAuthorization(challenges, method, u.path, cred) : ntlmAuthorization(challenges, cred);
          } catch (e) {
            return this.errorResponse(method, u, p, headers, enc, timings, ErrorCode.Generic, (e as Error).message);
          }
          if (next) {
            authorization = next;
            authRounds++;
            continue;
          }
        }
        if (REDIRECTS.has(status)) {
          const location = rawHeaderValue(ex.rawHeaders, 'location');
          if (location !== undefined) {
            if (hop < p.redirects) {
              let next: ParsedUrl;
              try {
                next = this.parseUrl(new URL(location, u.href).href);
              } catch (e) {
                const ce = classifyError(e, u.target);
                return this.errorResponse(method, u, p, headers, enc, timings, ce.code, ce.message);
              }
              if (status === 303 || ((status === 301 || status === 302) && method !== 'GET' && method !== 'HEAD')) {
                if (method !== 'HEAD') method = 'GET';
                enc = null;
              }
              u = next;
              continue;
            }
            if (p.redirects > 0)
              this.vu.log.once(
                `http:redirects:${u.tag}`,
                'warning',
                `Stopped after ${p.redirects} redirects and returned the redirection; set params.redirects or the maxRedirects option to follow more`,
                { url: u.tag },
              );
          }
        }
        return this.finalResponse(method, u, p, headers, enc, ex, timings, setCookies, tlsVersion);
      }
    } finally {
      this.inflight.delete(call);
    }
  }

  /** (Re)arms the timeout timer for `due` (performance.now() time). Unreferenced: a call in flight holds the thread through its socket. */
  private armTimeouts(due: number): void {
    if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
    this.timeoutDue = due;
    this.timeoutTimer = setTimeout(this.onTimeouts, Math.max(1, Math.ceil(due - performance.now())));
    this.timeoutTimer.unref();
  }

  /**
   * Sends `ex` and settles when it has ended. Settles with no value: a promise resolved with an
   * object first looks up the object's `then` (a generic property lookup per request).
   */
  private exchange(call: Call, ex: Exchange, u: ParsedUrl, method: string, headers: string[], enc: EncodedBody | null): Promise<void> {
    // one executor for every call, not a closure over this call's arguments each time
    const ended = new Promise<void>(this.takeResolve);
    ex.done = this.resolveTaken;
    this.resolveTaken = null;
    call.current = ex;
    this.connections.dispatch(
      {
        origin: u.origin,
        path: u.path,
        method,
        headers,
        body: enc ? (enc.payload as Buffer) : undefined,
        reset: this.noConnectionReuse,
      },
      ex,
    );
    return ended;
  }
  /** The promise executor of exchange(): hands the new promise's resolve over through resolveTaken. */
  private readonly takeResolve = (resolve: () => void): void => {
    this.resolveTaken = resolve;
  };
  private resolveTaken: (() => void) | null = null;

  private buildHeaders(
    u: ParsedUrl,
    p: ResolvedParams,
    jar: CookieJar,
    enc: EncodedBody | null,
    sameHost: boolean,
    authorization: string | null = null,
  ): { list: string[]; cookies: Record<string, { name: string; value: string; replace: boolean }[]> } {
    const names = p.headerNames;
    const jarCookies = jar.matching(u);
    const scoped = sameHost ? p.cookies : null;
    // The common request (no cookie, no credentials, no body) sends the same list as the last one
    // when its params carry the same headers: shared, read-only (undici copies it, RequestInfo only
    // reads it), instead of a new list per request.
    const plain = jarCookies.length === 0 && scoped === null && authorization === null && !u.auth && enc === null && sameHost;
    if (plain && this.plainHeaders !== null && sameList(this.plainHeaders.from, p.headers)) return this.plainHeaders.result;
    const list: string[] = [];
    if (this.userAgent && !names.has('user-agent')) list.push('user-agent', this.userAgent);
    for (let i = 0; i < p.headers.length; i += 2) {
      const n = p.headers[i]!;
      if (!sameHost && n.toLowerCase() === 'authorization') continue;
      list.push(n, p.headers[i + 1]!);
    }
    const sent: Record<string, { name: string; value: string; replace: boolean }[]> = {};
    let cookieHeader = '';
    if (jarCookies.length !== 0 || scoped !== null) {
      for (const c of jarCookies) {
        if (scoped?.get(c.name)?.replace) continue; // a request cookie with replace: true wins
        cookieHeader += `${cookieHeader ? '; ' : ''}${c.name}=${c.value}`;
        (sent[c.name] ??= []).push({ name: c.name, value: c.value, replace: false });
      }
      if (scoped)
        for (const [k, c] of scoped) {
          if (!c.replace && sent[k]) continue; // without replace, the jar's cookie is kept
          cookieHeader += `${cookieHeader ? '; ' : ''}${k}=${c.value}`;
          (sent[k] ??= []).push({ name: k, value: c.value, replace: c.replace });
        }
    }
    if (cookieHeader && !names.has('cookie')) list.push('cookie', cookieHeader);
    if (authorization && !names.has('authorization')) list.push('authorization', authorization);
    else if (u.auth && !names.has('authorization') && p.auth !== 'digest' && p.auth !== 'ntlm') list.push('authorization', `Basic ${u.auth}`);
    if (enc) {
      if (enc.contentType && !names.has('content-type')) list.push('content-type', enc.contentType);
      if (Array.isArray(enc.payload) && !names.has('content-length')) list.push('content-length', String(enc.length));
      if (p.compression && p.compression.length && !names.has('content-encoding'))
        list.push('content-encoding', p.compression.join(', ')); // in the order applied (RFC 9110 §8.4)
    }
    if (plain) {
      this.plainHeaders = { from: p.headers, result: { list, cookies: noCookies } };
      return this.plainHeaders.result;
    }
    return { list, cookies: sent };
  }

  private emit(
    method: string,
    url: string,
    name: string | undefined,
    status: number,
    errorCode: number,
    error: string,
    tlsVersion: string,
    cb: ExpectedStatuses | null,
    p: ResolvedParams,
    timings: Timings,
    time: number,
  ): void {
    const failed = cb ? !cb.matches(status) : null;
    const last = this.lastTags;
    let tags: Tags;
    if (
      last !== null &&
      last.url === url &&
      last.status === status &&
      last.method === method &&
      last.name === name &&
      last.errorCode === errorCode &&
      last.error === error &&
      last.tlsVersion === tlsVersion &&
      last.failed === failed &&
      p.tags === null
    )
      tags = last.tags;
    else {
      tags = { method, url, name: name ?? url, status: statusText(status) };
      if (status !== 0) tags.proto = 'HTTP/1.1';
      if (tlsVersion) tags.tls_version = tlsVersion;
      if (error) tags.error = error;
      if (errorCode) tags.error_code = String(errorCode);
      if (failed !== null) tags.expected_response = failed ? 'false' : 'true';
      if (p.tags) for (const k in p.tags) tags[k] = p.tags[k]!;
      // Frozen: the VU may then trust its identity when it merges (see VuContext.emitMany).
      Object.freeze(tags);
      this.lastTags = { method, url, name, status, errorCode, error, tlsVersion, failed, tags };
    }
    emitHop(this.vu, { timings, tags, failed }, time);
  }

  private requestInfo(method: string, u: ParsedUrl, headers: { list: string[]; cookies: RequestInfo['cookies'] }, enc: EncodedBody | null) {
    return new RequestInfo(method, u.tag, headers.list, headers.cookies, enc);
  }

  private finalResponse(
    method: string,
    u: ParsedUrl,
    p: ResolvedParams,
    headers: { list: string[]; cookies: RequestInfo['cookies'] },
    enc: EncodedBody | null,
    ex: Exchange,
    timings: Timings,
    setCookies: string[],
    tlsVersion: string,
  ): Response {
    const res = new Response(timings, this.requestInfo(method, u, headers, enc), setCookies);
    res.status = ex.status;
    res.status_text = `${ex.status} ${ex.statusText}`;
    res.proto = 'HTTP/1.1';
    res.url = u.tag;
    if (ex.conn) {
      res.remote_ip = ex.conn.remoteAddress;
      res.remote_port = ex.conn.remotePort;
      res.tls_version = tlsVersion;
      res.tls_cipher_suite = ex.conn.tlsCipher;
    }
    res.rawHeaders = ex.rawHeaders;
    const code = statusErrorCode(ex.status);
    if (code) res.error_code = code;
    if (ex.chunks !== null) {
      let buf = ex.chunks.length === 1 ? ex.chunks[0]! : Buffer.concat(ex.chunks, ex.bodyBytes);
      try {
        buf = decodeBody(buf, rawHeaderValue(ex.rawHeaders, 'content-encoding'));
      } catch (e) {
        res.error = `cannot decode the response body: ${(e as Error).message}`;
        res.error_code = ErrorCode.Generic;
      }
      res.keepBody(buf, p.responseType === 'binary');
    }
    return res;
  }

  private errorResponse(
    method: string,
    u: ParsedUrl,
    p: ResolvedParams,
    headers: { list: string[]; cookies: RequestInfo['cookies'] },
    enc: EncodedBody | null,
    timings: Timings,
    code: number,
    message: string,
  ): Response {
    const full = `${method} ${JSON.stringify(u.tag)}: ${message}`;
    if (p.throw) throw new HttpRequestError(full, code);
    this.vu.log.once(`http:${code}:${message}`, 'warning', 'Request Failed', { error: full });
    const res = new Response(timings, this.requestInfo(method, u, headers, enc), []);
    res.url = u.tag;
    res.error = message;
    res.error_code = code;
    return res;
  }

  private failedBeforeSend(method: string, url: string, name: string | undefined, p: ResolvedParams, e: Error): Response {
    const ce = classifyError(e, url);
    const full = `${method} ${JSON.stringify(url)}: ${ce.message}`;
    if (p.throw) throw new HttpRequestError(full, ce.code);
    this.vu.log.once(`http:${ce.code}:${ce.message}`, 'warning', 'Request Failed', { error: full });
    const zero: Timings = { duration: 0, blocked: 0, looking_up: 0, connecting: 0, tls_handshaking: 0, sending: 0, waiting: 0, receiving: 0 };
    const res = new Response(zero, new RequestInfo(method, url, [], {}, null), []);
    res.url = url;
    res.error = ce.message;
    res.error_code = ce.code;
    return res;
  }
}
