/**
 * k6's http.Response object: the fields scripts read (status, body, headers, cookies, timings,
 * error, error_code, request, …) and its methods json(selector) and html(). Cookies and the
 * request body text are computed only when read, so unread fields cost nothing per request.
 */
import { bodyText, type EncodedBody } from './body.ts';
import { responseCookies, type ResponseCookie } from './cookies.ts';
import { canonicalHeaderName, foldRawHeaders } from './headers.ts';
import { selectJson } from './json-path.ts';
import { parseHTML, type Selection } from '../html/index.ts';
import type { Timings } from './exchange.ts';

/** `response.request`: what was sent for the final hop. */
export class RequestInfo {
  constructor(
    readonly method: string,
    readonly url: string,
    /** Sent headers as a flat [name, value, …] list; folded into k6's shape on first read. */
    private readonly headerList: string[],
    readonly cookies: Record<string, { name: string; value: string; replace: boolean }[]>,
    /** The encoded request body; turned into text only when a script reads `body`. */
    private readonly sentBody: EncodedBody | null,
  ) {}
  private bodyCache: string | undefined;
  private headerCache: Record<string, string[]> | undefined;
  /** k6: { Name: [value, …] } with canonical names. */
  get headers(): Record<string, string[]> {
    if (this.headerCache === undefined) {
      const h: Record<string, string[]> = {};
      for (let i = 0; i < this.headerList.length; i += 2)
        (h[canonicalHeaderName(this.headerList[i]!)] ??= []).push(this.headerList[i + 1]!);
      this.headerCache = h;
    }
    return this.headerCache;
  }
  get body(): string {
    if (this.bodyCache === undefined) this.bodyCache = bodyText(this.sentBody);
    return this.bodyCache;
  }
  toJSON() {
    return { method: this.method, url: this.url, headers: this.headers, cookies: this.cookies, body: this.body };
  }
}

const noOcsp = Object.freeze({ status: 'unknown', produced_at: 0, this_update: 0, next_update: 0, revocation_reason: '', revoked_at: 0 });

export class Response {
  status = 0;
  status_text = '';
  proto = '';
  url = '';
  remote_ip = '';
  remote_port = 0;
  /**
   * The body's bytes until a script first reads `body`: most iterations check the status and
   * never read it, so it is not decoded into a string (or copied into an ArrayBuffer) for them.
   */
  private bodyBytes: Buffer | null = null;
  private bodyBinary = false;
  private bodyValue: string | ArrayBuffer | null = null;
  /** undici's raw response headers; folded into k6's `headers` object on first read. */
  rawHeaders: Buffer[] | string[] = [];
  private headerCache: Record<string, string> | undefined;
  timings: Timings;
  error = '';
  error_code = 0;
  tls_version = '';
  tls_cipher_suite = '';
  /** OCSP stapling is not checked by the engine: always k6's "unknown" status. */
  readonly ocsp = noOcsp;
  request: RequestInfo;
  /** Set-Cookie values of this response, parsed on first read of `cookies`. */
  private readonly setCookies: string[];
  private cookieCache: Record<string, ResponseCookie[]> | undefined;
  private jsonCache: { value: unknown } | undefined;

  constructor(timings: Timings, request: RequestInfo, setCookies: string[]) {
    this.timings = timings;
    this.request = request;
    this.setCookies = setCookies;
  }

  /** k6: the body as text, as an ArrayBuffer (responseType "binary"), or null when none was kept. */
  get body(): string | ArrayBuffer | null {
    const b = this.bodyBytes;
    if (b !== null) {
      this.bodyBytes = null;
      this.bodyValue = this.bodyBinary ? (b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer) : b.toString('utf8');
    }
    return this.bodyValue;
  }
  set body(v: string | ArrayBuffer | null) {
    this.bodyBytes = null;
    this.bodyValue = v;
  }
  /** The response's (decoded) body bytes: the text, or a copy as an ArrayBuffer when `binary`. */
  keepBody(bytes: Buffer, binary: boolean): void {
    this.bodyBytes = bytes;
    this.bodyBinary = binary;
  }

  /** k6: canonical names, repeated headers joined with ", ". */
  get headers(): Record<string, string> {
    if (this.headerCache === undefined) this.headerCache = foldRawHeaders(this.rawHeaders);
    return this.headerCache;
  }
  set headers(h: Record<string, string>) {
    this.headerCache = h;
  }

  get cookies(): Record<string, ResponseCookie[]> {
    if (this.cookieCache === undefined) {
      let u: URL | null = null;
      try {
        u = new URL(this.url);
      } catch {
        /* no URL: no cookies */
      }
      this.cookieCache = u && this.setCookies.length ? responseCookies(u, this.setCookies) : {};
    }
    return this.cookieCache;
  }

  /** Parses the body as JSON (once); with `selector`, returns what the gjson-style path selects. */
  json(selector?: string): unknown {
    if (this.jsonCache === undefined) {
      if (this.body === null || this.body === undefined)
        throw new Error('response.json(): the body is null (the request failed, or responseType is "none" / discardResponseBodies is set)');
      const text = typeof this.body === 'string' ? this.body : Buffer.from(this.body).toString('utf8');
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        throw new Error(`response.json(): cannot parse the body of ${this.request.method} ${this.url} as JSON: ${(e as Error).message}`);
      }
      this.jsonCache = { value };
    }
    return selector === undefined ? this.jsonCache.value : selectJson(this.jsonCache.value, String(selector));
  }

  /** k6/html's parseHTML over the body, then `.find(selector)` when one is given. */
  html(selector?: unknown): Selection {
    if (this.body === null || this.body === undefined)
      throw new Error('response.html(): the body is null (the request failed, or responseType is "none" / discardResponseBodies is set)');
    // the response URL is the document's: links and form actions resolve against it, as in k6
    const doc = parseHTML(typeof this.body === 'string' ? this.body : Buffer.from(this.body).toString('utf8'), this.url);
    return selector === undefined ? doc : doc.find(selector);
  }

  clickLink(): never {
    throw new Error('response.clickLink() is not provided by the aetos-load engine; use res.html() to find the link and http.get() it, or --runner k6');
  }

  submitForm(): never {
    throw new Error('response.submitForm() is not provided by the aetos-load engine; use res.html() to read the form and http.post() it, or --runner k6');
  }

  toJSON() {
    return {
      status: this.status,
      status_text: this.status_text,
      proto: this.proto,
      url: this.url,
      remote_ip: this.remote_ip,
      remote_port: this.remote_port,
      body: this.body,
      headers: this.headers,
      cookies: this.cookies,
      timings: this.timings,
      error: this.error,
      error_code: this.error_code,
      tls_version: this.tls_version,
      tls_cipher_suite: this.tls_cipher_suite,
      request: this.request,
    };
  }
}
