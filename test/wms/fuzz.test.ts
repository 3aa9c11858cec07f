// Every route's schema, fuzzed: random valid and invalid values (wrong types, bounds ±1, control
// characters, SQL and path tricks, huge and empty strings, extra fields) for its path parameters,
// query and body, sent with the right credentials. Whatever comes in, the answer is never a 5xx:
// bad input is the client's error. Seeded, so a failure names the seed that reproduces it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearFaults } from '../../wms/faults-client.ts';
import { login, rawRequest, startTestTarget, storages, type TestTarget } from './helpers.ts';

type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema; enum?: unknown[]; minimum?: number; maximum?: number; maxLength?: number; minLength?: number; pattern?: string; required?: string[] };

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const nasty = ['', ' ', 'a', 'SKU-000001', 'user0001', "' OR '1'='1", '1; DROP TABLE stock; --', '../../etc/passwd', '%00', '\u0000', 'a\u0007b', '\u001b[31m', '\ud800', '😀', 'Ω≈ç√', '__proto__', 'constructor', '{"a":1}', '-1', '0', '1e309', 'NaN', 'null', 'true', ' 5 ', '0x10'];

function value(s: Schema | undefined, r: () => number, depth = 0): unknown {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  if (r() < 0.15 || !s) return pick<unknown>([null, {}, [], true, -1, 1e21, 'x', nasty[Math.floor(r() * nasty.length)]]);
  if (s.enum) return r() < 0.7 ? pick(s.enum) : pick(nasty);
  switch (s.type) {
    case 'integer':
    case 'number': {
      const lo = s.minimum ?? -1e6;
      const hi = s.maximum ?? 1e6;
      return pick<unknown>([lo, hi, lo - 1, hi + 1, Math.floor(lo + r() * (hi - lo)), 0.5, -0, 2 ** 53, '12', 'abc', Number.MAX_VALUE]);
    }
    case 'boolean':
      return pick<unknown>([true, false, 'true', 0, 'yes']);
    case 'string': {
      const max = s.maxLength ?? 100;
      return pick<unknown>([pick(nasty), 'x'.repeat(max), 'x'.repeat(max + 1), 'x'.repeat(s.minLength ?? 0), `SKU-${String(Math.floor(r() * 3000)).padStart(6, '0')}`, pick(nasty) + pick(nasty)]);
    }
    case 'array': {
      const n = pick([0, 1, 2, 5, 101]);
      return Array.from({ length: n }, () => value(s.items, r, depth + 1));
    }
    case 'object': {
      if (depth > 3) return {};
      const o: Record<string, unknown> = {};
      for (const [k, p] of Object.entries(s.properties ?? {})) if (r() < 0.8) o[k] = value(p, r, depth + 1);
      if (r() < 0.2) o[pick(['extra', '__proto__', 'constructor'])] = pick(nasty);
      return o;
    }
    default:
      return pick(nasty);
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '');

describe.each(storages)('fuzzing every route schema on %s', (storage) => {
  let t: TestTarget;
  let token: string;
  beforeAll(async () => {
    t = await startTestTarget(storage, { onCrash: () => {} });
    token = await login(t.url);
  });
  afterAll(async () => {
    await t?.stopAll();
  });

  it('never answers a 5xx, whatever the parameters', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9);
    const r = rng(seed);
    const failures: string[] = [];
    const routes = t.routes.filter((x) => x.url.startsWith('/api/') && x.method !== 'HEAD' && x.method !== 'OPTIONS');
    for (const route of routes) {
      const admin = route.url.startsWith('/api/admin/');
      const headers: Record<string, string> = admin ? { 'x-admin-token': t.adminToken } : { authorization: `Bearer ${token}` };
      for (let i = 0; i < 40; i++) {
        const params = value((route.schema?.params as Schema) ?? { type: 'object', properties: {} }, r) as Record<string, unknown>;
        const segment = (v: unknown) => {
          try {
            return encodeURIComponent(str(v)) || 'x';
          } catch {
            return 'x'; // a lone surrogate cannot be percent-encoded
          }
        };
        const path = route.url.replace(/:(\w+)/g, (_m, k: string) => segment(params && typeof params === 'object' ? (params[k] ?? 'x') : 'x'));
        const q = value(route.schema?.querystring as Schema, r);
        const qs = q && typeof q === 'object' && !Array.isArray(q) ? new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, str(v)])).toString() : '';
        let body: string | undefined;
        if (route.method !== 'GET' && route.method !== 'DELETE') {
          const b = value((route.schema?.body as Schema) ?? { type: 'object', properties: {} }, r);
          if (admin && b && typeof b === 'object') delete (b as Record<string, unknown>).crash;
          body = r() < 0.1 ? pick(['{', '[]', 'null', '"x"', '{"lines":', '\u0000']) : JSON.stringify(b);
        }
        const res = await rawRequest(t.url, route.method, qs ? `${path}?${qs}` : path, headers, body);
        if (res.status >= 500) failures.push(`${route.method} ${path}?${qs} ${body ?? ''} → ${res.status} ${res.body.slice(0, 100)}`);
        if (admin && route.method === 'POST') await clearFaults(t.url, t.adminToken);
      }
      function pick<T>(xs: T[]): T {
        return xs[Math.floor(r() * xs.length)]!;
      }
    }
    // Multipart the parser cannot make sense of.
    for (const [ct, b] of [
      ['multipart/form-data', 'abc'],
      ['multipart/form-data; boundary=', '--\r\n'],
      ['multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="file"\r\n\r\nunterminated'],
      ['multipart/form-data; boundary=b', '--b\r\n\r\n--b--'],
      ['multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="other"\r\n\r\nx\r\n--b--\r\n'],
    ]) {
      const res = await fetch(`${t.url}/api/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': ct! }, body: b });
      if (res.status >= 500) failures.push(`POST /api/uploads ${ct} → ${res.status} ${(await res.text()).slice(0, 100)}`);
    }
    expect(failures, `FUZZ_SEED=${seed}`).toEqual([]);
  }, 120_000);
});
