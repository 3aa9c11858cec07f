/**
 * k6's cookie jar (RFC 6265 subset): what `http.cookieJar()` / `new http.CookieJar()` return and
 * what each VU uses by default. Stores Set-Cookie results per (domain, path, name), matches by
 * domain, path, secure and expiry, and parses Set-Cookie for `response.cookies`.
 */

export interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  hostOnly: boolean;
  secure: boolean;
  httpOnly: boolean;
  /** ms since the epoch; 0 = session cookie. */
  expires: number;
}

/** One entry of k6's `response.cookies[name]`. */
export interface ResponseCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  http_only: boolean;
  secure: boolean;
  max_age: number;
  expires: number;
}

/** The parts of a URL cookie matching needs (a WHATWG URL or the client's parsed-URL cache entry). */
export interface UrlLike {
  hostname: string;
  protocol: string;
  pathname: string;
}

export interface CookieSetOptions {
  domain?: string;
  path?: string;
  expires?: string | number;
  max_age?: number;
  secure?: boolean;
  http_only?: boolean;
}

interface ParsedSetCookie extends ResponseCookie {
  hasDomain: boolean;
  hasPath: boolean;
  hasMaxAge: boolean;
}

/** Parses one Set-Cookie header value; null when it has no name=value pair. */
export function parseSetCookie(header: string): ParsedSetCookie | null {
  const parts = header.split(';');
  const first = parts[0]!;
  const eq = first.indexOf('=');
  if (eq <= 0) return null;
  const c: ParsedSetCookie = {
    name: first.slice(0, eq).trim(),
    value: stripQuotes(first.slice(eq + 1).trim()),
    domain: '',
    path: '',
    http_only: false,
    secure: false,
    max_age: 0,
    expires: 0,
    hasDomain: false,
    hasPath: false,
    hasMaxAge: false,
  };
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i]!;
    const e = p.indexOf('=');
    const key = (e < 0 ? p : p.slice(0, e)).trim().toLowerCase();
    const val = e < 0 ? '' : p.slice(e + 1).trim();
    if (key === 'domain' && val) {
      c.domain = val.replace(/^\./, '').toLowerCase();
      c.hasDomain = true;
    } else if (key === 'path' && val.startsWith('/')) {
      c.path = val;
      c.hasPath = true;
    } else if (key === 'expires') {
      const t = Date.parse(val);
      if (!Number.isNaN(t)) c.expires = t <= 0 ? -1 : t; // 0 means "session cookie" here
    } else if (key === 'max-age' && /^-?\d+$/.test(val)) {
      c.max_age = Number(val);
      c.hasMaxAge = true;
    } else if (key === 'secure') c.secure = true;
    else if (key === 'httponly') c.http_only = true;
  }
  return c;
}

function stripQuotes(v: string): string {
  return v.length >= 2 && v[0] === '"' && v[v.length - 1] === '"' ? v.slice(1, -1) : v;
}

/** RFC 6265 5.1.4 default-path of a request path. */
function defaultPath(pathname: string): string {
  if (!pathname.startsWith('/')) return '/';
  const i = pathname.lastIndexOf('/');
  return i <= 0 ? '/' : pathname.slice(0, i);
}

function domainMatches(host: string, c: StoredCookie): boolean {
  if (c.hostOnly) return host === c.domain;
  return host === c.domain || (host.endsWith(c.domain) && host[host.length - c.domain.length - 1] === '.');
}

function pathMatches(reqPath: string, cookiePath: string): boolean {
  if (reqPath === cookiePath) return true;
  if (!reqPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || reqPath[cookiePath.length] === '/';
}

function toUrl(url: string | URL | { url: string }): URL {
  if (url instanceof URL) return url;
  if (typeof url === 'object' && url && typeof url.url === 'string') return new URL(url.url);
  return new URL(String(url));
}

/** What an empty jar matches: shared, so frozen. */
const none: readonly StoredCookie[] = Object.freeze([]);

export class CookieJar {
  /** key `domain;path;name` → cookie. A Map keeps insertion order (older cookies first). */
  private readonly store = new Map<string, StoredCookie>();

  /** Number of stored cookies (tests, diagnostics). */
  get size(): number {
    return this.store.size;
  }

  /** Stores the cookies of Set-Cookie headers received from `url`. */
  setFromResponse(url: UrlLike, setCookieHeaders: string[], now = Date.now()): void {
    for (const h of setCookieHeaders) {
      const p = parseSetCookie(h);
      if (p) this.storeParsed(url, p, now);
    }
  }

  private storeParsed(url: UrlLike, p: ParsedSetCookie, now: number): void {
    const host = url.hostname.toLowerCase();
    let domain = host;
    let hostOnly = true;
    if (p.hasDomain) {
      // A cookie may only be set for the request host or a parent domain of it.
      if (!(host === p.domain || host.endsWith(`.${p.domain}`))) return;
      domain = p.domain;
      hostOnly = false;
    }
    const path = p.hasPath ? p.path : defaultPath(url.pathname);
    let expires = p.expires;
    if (p.hasMaxAge) expires = p.max_age <= 0 ? -1 : now + p.max_age * 1000;
    const key = `${domain};${path};${p.name}`;
    if (expires !== 0 && expires <= now) {
      this.store.delete(key);
      return;
    }
    this.store.delete(key);
    this.store.set(key, { name: p.name, value: p.value, domain, path, hostOnly, secure: p.secure, httpOnly: p.http_only, expires });
  }

  /** Cookies to send to `url`, longest path first (RFC 6265 5.4). */
  matching(url: UrlLike, at?: number): readonly StoredCookie[] {
    // most jars are empty: no clock read and no new array then (this runs for every request)
    if (this.store.size === 0) return none;
    const now = at ?? Date.now();
    const host = url.hostname.toLowerCase();
    const secure = url.protocol === 'https:' || url.protocol === 'wss:';
    const path = url.pathname || '/';
    const out: StoredCookie[] = [];
    for (const [key, c] of this.store) {
      if (c.expires !== 0 && c.expires <= now) {
        this.store.delete(key);
        continue;
      }
      if (c.secure && !secure) continue;
      if (!domainMatches(host, c) || !pathMatches(path, c.path)) continue;
      out.push(c);
    }
    if (out.length > 1) out.sort((a, b) => b.path.length - a.path.length);
    return out;
  }

  /** k6: `jar.cookiesForURL(url)` → { name: [value, …] }. */
  cookiesForURL(url: string | URL): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const c of this.matching(toUrl(url))) (out[c.name] ??= []).push(c.value);
    return out;
  }

  /** k6: `jar.set(url, name, value, [options])`. */
  set(url: string | URL, name: string, value: string, options: CookieSetOptions = {}): void {
    const u = toUrl(url);
    const expires =
      options.expires === undefined ? 0 : typeof options.expires === 'number' ? options.expires : Date.parse(options.expires);
    this.storeParsed(
      u,
      {
        name: String(name),
        value: String(value),
        domain: (options.domain ?? '').replace(/^\./, '').toLowerCase(),
        path: options.path ?? '',
        http_only: !!options.http_only,
        secure: !!options.secure,
        max_age: options.max_age ?? 0,
        expires: Number.isNaN(expires) ? 0 : expires,
        hasDomain: !!options.domain,
        hasPath: !!options.path,
        hasMaxAge: options.max_age !== undefined,
      },
      Date.now(),
    );
  }

  /** k6: `jar.clear(url)`: removes every cookie that would be sent to `url`. */
  clear(url: string | URL): void {
    const u = toUrl(url);
    for (const c of this.matching(u)) this.store.delete(`${c.domain};${c.path};${c.name}`);
  }

  /** k6: `jar.delete(url, name)`. */
  delete(url: string | URL, name: string): void {
    const u = toUrl(url);
    for (const c of this.matching(u)) if (c.name === name) this.store.delete(`${c.domain};${c.path};${c.name}`);
  }

  /** Empties the jar (the VU's jar at each iteration start unless noCookiesReset). */
  reset(): void {
    if (this.store.size !== 0) this.store.clear();
  }
}

/** k6's `response.cookies` from the Set-Cookie headers of one response. */
export function responseCookies(url: URL, setCookieHeaders: string[]): Record<string, ResponseCookie[]> {
  const out: Record<string, ResponseCookie[]> = {};
  for (const h of setCookieHeaders) {
    const p = parseSetCookie(h);
    if (!p) continue;
    (out[p.name] ??= []).push({
      name: p.name,
      value: p.value,
      domain: p.hasDomain ? p.domain : url.hostname,
      path: p.hasPath ? p.path : defaultPath(url.pathname),
      http_only: p.http_only,
      secure: p.secure,
      max_age: p.max_age,
      expires: p.expires,
    });
  }
  return out;
}

/**
 * Each VU's own jar (`http.cookieJar()`), by VU: k6/ws sends it on the handshake, as k6 does,
 * when the script passes no `params.jar`. Registered by the VU's k6/http client.
 */
export const vuCookieJars = new WeakMap<object, CookieJar>();
