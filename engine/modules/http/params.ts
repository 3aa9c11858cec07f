/**
 * k6's request Params (headers, tags, cookies, jar, redirects, timeout, auth, responseType,
 * responseCallback, compression, throw) checked once per call and merged with the VU's
 * options-level defaults. A call without params reuses one precomputed object.
 */
import { parseCompression } from './compression.ts';
import { CookieJar } from './cookies.ts';
import { parseDurationMs } from './duration.ts';
import { asResponseCallback, type ExpectedStatuses } from './expected.ts';

export type ResponseType = 'text' | 'binary' | 'none';

export interface RequestCookie {
  value: string;
  replace: boolean;
}

export interface ResolvedParams {
  /** Flat [name, value, …] of user headers (values stringified). */
  headers: string[];
  /** Lower-cased names present in `headers`. */
  headerNames: Set<string>;
  tags: Record<string, string> | null;
  cookies: Map<string, RequestCookie> | null;
  jar: CookieJar | null;
  redirects: number;
  timeoutMs: number;
  auth: string;
  responseType: ResponseType;
  /** undefined = use the module's callback (setResponseCallback); null = none. */
  responseCallback: ExpectedStatuses | null | undefined;
  compression: string[] | null;
  throw: boolean;
}

export interface ParamDefaults {
  redirects: number;
  timeoutMs: number;
  responseType: ResponseType;
  throw: boolean;
}

const emptyNames = new Set<string>();

export function defaultParams(d: ParamDefaults): ResolvedParams {
  return {
    headers: [],
    headerNames: emptyNames,
    tags: null,
    cookies: null,
    jar: null,
    redirects: d.redirects,
    timeoutMs: d.timeoutMs,
    auth: '',
    responseType: d.responseType,
    responseCallback: undefined,
    compression: null,
    throw: d.throw,
  };
}

const responseTypes = new Set(['text', 'binary', 'none']);

/** Resolves a script's params object; throws a TypeError naming the bad param. */
export function resolveParams(p: unknown, d: ParamDefaults, base: ResolvedParams): ResolvedParams {
  if (p === undefined || p === null) return base;
  if (typeof p !== 'object') throw new TypeError(`http params must be an object, got ${typeof p}`);
  const o = p as Record<string, unknown>;
  const r: ResolvedParams = { ...base };
  if (o.headers !== undefined && o.headers !== null) {
    if (typeof o.headers !== 'object') throw new TypeError('params.headers must be an object');
    const list: string[] = [];
    const names = new Set<string>();
    for (const [k, v] of Object.entries(o.headers as Record<string, unknown>)) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const item of v) list.push(k, String(item));
      else list.push(k, String(v));
      names.add(k.toLowerCase());
    }
    r.headers = list;
    r.headerNames = names;
  }
  if (o.tags !== undefined && o.tags !== null) {
    if (typeof o.tags !== 'object') throw new TypeError('params.tags must be an object');
    const t: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.tags as Record<string, unknown>)) t[k] = String(v);
    r.tags = t;
  }
  if (o.cookies !== undefined && o.cookies !== null) {
    const m = new Map<string, RequestCookie>();
    for (const [k, v] of Object.entries(o.cookies as Record<string, unknown>)) {
      if (v && typeof v === 'object') {
        const c = v as { value?: unknown; replace?: unknown };
        m.set(k, { value: String(c.value ?? ''), replace: !!c.replace });
      } else m.set(k, { value: String(v), replace: false });
    }
    r.cookies = m;
  }
  if (o.jar !== undefined && o.jar !== null) {
    if (!(o.jar instanceof CookieJar)) throw new TypeError('params.jar must be a CookieJar (http.cookieJar() or new http.CookieJar())');
    r.jar = o.jar;
  }
  if (o.redirects !== undefined && o.redirects !== null) {
    const n = Number(o.redirects);
    if (!Number.isInteger(n) || n < 0) throw new TypeError(`params.redirects must be a non-negative integer, got ${String(o.redirects)}`);
    r.redirects = n;
  }
  if (o.timeout !== undefined && o.timeout !== null) r.timeoutMs = parseDurationMs(o.timeout, 'params.timeout');
  if (o.auth !== undefined && o.auth !== null) {
    const a = String(o.auth).toLowerCase();
    if (a !== 'basic' && a !== 'digest' && a !== 'ntlm') throw new TypeError(`params.auth must be "basic", "digest" or "ntlm", got "${String(o.auth)}"`);
    r.auth = a;
  }
  if (o.responseType !== undefined && o.responseType !== null) {
    const t = String(o.responseType);
    if (!responseTypes.has(t)) throw new TypeError(`params.responseType must be "text", "binary" or "none", got "${t}"`);
    r.responseType = t as ResponseType;
  }
  if ('responseCallback' in o) r.responseCallback = asResponseCallback(o.responseCallback, 'params.responseCallback');
  if (o.compression !== undefined && o.compression !== null && o.compression !== '') r.compression = parseCompression(o.compression);
  if (o.throw !== undefined && o.throw !== null) r.throw = !!o.throw;
  return r;
}
