/**
 * Header helpers: Go-style canonical names ("content-type" → "Content-Type"), as k6 reports
 * response headers, and folding undici's raw header list into k6's object (repeated headers
 * joined with ", ").
 */
const canonicalCache = new Map<string, string>();

export function canonicalHeaderName(name: string): string {
  let c = canonicalCache.get(name);
  if (c !== undefined) return c;
  c = name
    .toLowerCase()
    .split('-')
    .map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join('-');
  if (canonicalCache.size < 4096) canonicalCache.set(name, c);
  return c;
}

/** undici's raw header list [name, value, name, value, …] → k6's response.headers. */
export function foldRawHeaders(raw: Buffer[] | string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = canonicalHeaderName(raw[i]!.toString());
    const value = raw[i + 1]!.toString();
    const prev = out[name];
    out[name] = prev === undefined ? value : `${prev}, ${value}`;
  }
  return out;
}

/** All values of one header (lower-case `name`) from a raw list, without folding. */
const none: string[] = [];
export function rawHeaderValues(raw: Buffer[] | string[], name: string): string[] {
  let out: string[] = none; // most responses have none: no allocation then
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i]!;
    if (n.length === name.length && n.toString().toLowerCase() === name) {
      if (out === none) out = [];
      out.push(raw[i + 1]!.toString());
    }
  }
  return out;
}

/** First value of one header (lower-case `name`) from a raw list. */
export function rawHeaderValue(raw: Buffer[] | string[], name: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i]!;
    if (n.length === name.length && n.toString().toLowerCase() === name) return raw[i + 1]!.toString();
  }
  return undefined;
}
