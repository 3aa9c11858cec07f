/**
 * k6/http's request functions, bodies, params and response fields against a real fixture server.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HttpRequestError } from '../../../../engine/modules/http/client.ts';
import { Response } from '../../../../engine/modules/http/response.ts';
import { startFixture, type Fixture } from './fixture-server.ts';
import { closeAll, load } from './harness.ts';

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(async () => {
  await closeAll();
  await fx.close();
});

describe('module shape', () => {
  it('exports every k6/http function as named and default exports', () => {
    const { http } = load();
    const names = ['get', 'head', 'post', 'put', 'patch', 'del', 'options', 'request', 'asyncRequest', 'batch', 'file', 'url', 'cookieJar', 'CookieJar', 'expectedStatuses', 'setResponseCallback'];
    for (const n of names) {
      expect(typeof http[n], n).toBe('function');
      expect(http.default[n], n).toBe(http[n]);
    }
    expect(http.TLS_1_2).toBe('tls1.2');
  });

  it('request functions return promises of a Response', async () => {
    const { http } = load();
    const p = http.get(`${fx.url}/echo`);
    expect(p).toBeInstanceOf(Promise);
    expect(await p).toBeInstanceOf(Response);
  });
});

describe('httpDebug option', () => {
  it('logs requests and responses; "full" adds the bodies', async () => {
    const a = load({ httpDebug: 'headers' });
    await a.http.post(`${fx.url}/echo`, 'secret-body', { headers: { 'X-Dbg': '1' } });
    const text = a.vu.logLines.join('\n');
    expect(text).toContain('Request:\\nPOST /echo HTTP/1.1');
    expect(text).toContain('X-Dbg: 1');
    expect(text).toContain('Response:\\nHTTP/1.1 200 OK');
    expect(text).not.toContain('secret-body');
    const b = load({ httpDebug: 'full' });
    await b.http.post(`${fx.url}/echo`, 'secret-body');
    expect(b.vu.logLines.join('\n')).toContain('secret-body');
    const c = load();
    await c.http.get(`${fx.url}/echo`);
    expect(c.vu.logLines).toEqual([]);
  });
});

describe('unsupported options', () => {
  it('are warned about once, not silently ignored', () => {
    const { vu } = load({ tlsCipherSuites: ['TLS_AES_128_GCM_SHA256'], localIPs: '' });
    expect(vu.logLines.filter((l) => l.includes('option tlsCipherSuites is not supported'))).toHaveLength(1);
    expect(vu.logLines.some((l) => l.includes('localIPs'))).toBe(false);
  });
});

describe('init context', () => {
  it('requests in the init context are refused with a clear error, as in k6', async () => {
    const { http, vu } = load();
    vu.phase = 'init';
    await expect(http.get(`${fx.url}/echo`)).rejects.toThrow(/not supported .* init context|init context is not supported/);
    vu.phase = 'setup';
    expect((await http.get(`${fx.url}/echo`)).status).toBe(200);
  });
});

describe('methods', () => {
  it.each([
    ['get', 'GET', false],
    ['head', 'HEAD', false],
    ['post', 'POST', true],
    ['put', 'PUT', true],
    ['patch', 'PATCH', true],
    ['del', 'DELETE', true],
    ['options', 'OPTIONS', true],
  ])('%s sends %s', async (fn, method, withBody) => {
    const { http } = load();
    const res = withBody ? await http[fn](`${fx.url}/echo`, 'payload') : await http[fn](`${fx.url}/echo`);
    expect(res.status).toBe(200);
    expect(res.request.method).toBe(method);
    if (method === 'HEAD') {
      expect(res.body).toBe('');
    } else {
      const echo = res.json();
      expect(echo.method).toBe(method);
      if (withBody) expect(echo.body).toBe('payload');
    }
  });

  it('request(method, url, body, params) and asyncRequest (tracked)', async () => {
    const { http, vu } = load();
    const r1 = await http.request('put', `${fx.url}/echo`, 'x', { headers: { 'X-A': '1' } });
    expect(r1.json().method).toBe('PUT');
    expect(r1.json().headers['x-a']).toBe('1');
    const p = http.asyncRequest('POST', `${fx.url}/echo`, 'async');
    expect(vu.tracked.length).toBe(1);
    expect((await p).json().body).toBe('async');
    // several in flight at once (the fixture counts them), each on its own connection
    fx.resetConcurrent();
    const before = fx.connections();
    const all = await Promise.all([1, 2, 3].map((i) => http.asyncRequest('GET', `${fx.url}/concurrent?ms=150&id=${i}`)));
    expect(all.map((r: { body: string }) => r.body)).toEqual(['1', '2', '3']);
    expect(fx.maxConcurrent()).toBe(3);
    expect(fx.connections() - before).toBe(2); // the VU's idle socket + two new ones
    expect(vu.tracked.length).toBe(4);
  });
});

describe('bodies', () => {
  it('string body raw, ArrayBuffer body raw', async () => {
    const { http } = load();
    expect((await http.post(`${fx.url}/echo`, 'héllo')).json().length).toBe(6);
    const ab = new Uint8Array([0, 1, 2, 255]).buffer;
    const echo = (await http.post(`${fx.url}/echo`, ab)).json();
    expect(echo.length).toBe(4);
    expect(Buffer.from(echo.body, 'latin1')).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('object body → x-www-form-urlencoded', async () => {
    const { http } = load();
    const res = await http.post(`${fx.url}/echo`, { b: 'two words', a: 1, c: '&=' });
    const echo = res.json();
    expect(echo.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(echo.body).toBe('a=1&b=two+words&c=%26%3D');
    expect(res.request.body).toBe('a=1&b=two+words&c=%26%3D');
  });

  it('object with http.file → multipart/form-data with fields and files (string, ArrayBuffer, byte array data)', async () => {
    const { http } = load();
    const res = await http.post(`${fx.url}/upload`, {
      field: 'value',
      doc: http.file('file contents', 'a.txt', 'text/plain'),
      bin: http.file(new Uint8Array([1, 2, 3]).buffer, 'b.bin'),
      arr: http.file([104, 105], 'c.txt'),
    });
    expect(res.request.headers['Content-Type']![0]).toMatch(/^multipart\/form-data; boundary=/);
    const parts = res.json().parts;
    expect(parts).toHaveLength(4);
    expect(parts[3]).toMatchObject({ name: 'arr', filename: 'c.txt', text: 'hi' });
    expect(parts[0]).toMatchObject({ name: 'field', text: 'value' });
    expect(parts[1]).toMatchObject({ name: 'doc', filename: 'a.txt', type: 'text/plain', text: 'file contents' });
    expect(parts[2]).toMatchObject({ name: 'bin', filename: 'b.bin', type: 'application/octet-stream', size: 3 });
  });

  it('compression param gzips/brotlis the request body and sets Content-Encoding', async () => {
    const { http } = load();
    const res = await http.post(`${fx.url}/echo`, 'x'.repeat(1000), { compression: 'gzip' });
    const echo = res.json();
    expect(echo.headers['content-encoding']).toBe('gzip');
    expect(echo.length).toBeLessThan(100);
    const { gunzipSync } = await import('node:zlib');
    expect(gunzipSync(Buffer.from(echo.body, 'latin1')).toString()).toBe('x'.repeat(1000));
    const br = (await http.post(`${fx.url}/echo`, 'y'.repeat(500), { compression: 'br' })).json();
    expect(br.headers['content-encoding']).toBe('br');
    await expect(http.post(`${fx.url}/echo`, 'z', { compression: 'lzma' })).rejects.toThrow(/unsupported compression "lzma"/);
  });

  it('compression deflate: the server inflates the body back', async () => {
    const { http } = load();
    const res = await http.post(`${fx.url}/decode`, 'deflated '.repeat(40), { compression: 'deflate' });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ codings: ['deflate'], text: 'deflated '.repeat(40) });
  });

  // RFC 9110 8.4 and k6: Content-Encoding lists the codings in the order they were applied.
  it('compression with several codings: Content-Encoding lists them in the order applied, so the server can decode', async () => {
    const { http } = load();
    const res = await http.post(`${fx.url}/decode`, 'twice '.repeat(40), { compression: 'gzip, br' });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ codings: ['gzip', 'br'], text: 'twice '.repeat(40) });
  });
});

describe('response', () => {
  it('has status, status_text, proto, url, remote_ip/port, headers, timings, request', async () => {
    const { http } = load();
    const res = await http.get(`${fx.url}/echo?q=1`, { headers: { 'X-Test': 'yes' } });
    expect(res.status).toBe(200);
    expect(res.status_text).toBe('200 OK');
    expect(res.proto).toBe('HTTP/1.1');
    expect(res.url).toBe(`${fx.url}/echo?q=1`);
    expect(res.remote_ip).toBe('127.0.0.1');
    expect(res.remote_port).toBe(fx.port);
    expect(res.headers['Content-Type']).toBe('application/json');
    expect(res.error).toBe('');
    expect(res.error_code).toBe(0);
    for (const k of ['duration', 'blocked', 'looking_up', 'connecting', 'tls_handshaking', 'sending', 'waiting', 'receiving'])
      expect(typeof res.timings[k], k).toBe('number');
    expect(res.request.headers['X-Test']).toEqual(['yes']);
    expect(res.request.headers['User-Agent']).toEqual(['aetos-load/0.1 (k6 compatible)']);
    expect(res.request.url).toBe(`${fx.url}/echo?q=1`);
  });

  it('joins repeated headers with ", " under canonical names', async () => {
    const { http } = load();
    const res = await http.get(`${fx.url}/multi-header`);
    expect(res.headers['X-Multi']).toBe('a, b');
  });

  it.each(['gzip', 'deflate', 'br'])('decodes %s response bodies', async (enc) => {
    const { http } = load();
    const res = await http.get(`${fx.url}/${enc}`);
    expect(res.headers['Content-Encoding']).toBe(enc);
    expect(res.body).toBe('compressed hello '.repeat(50));
  });

  it('responseType binary gives an ArrayBuffer, none gives null, discardResponseBodies defaults to none', async () => {
    const { http } = load();
    const bin = await http.get(`${fx.url}/binary`, { responseType: 'binary' });
    expect(bin.body).toBeInstanceOf(ArrayBuffer);
    const bytes = new Uint8Array(bin.body);
    expect(bytes.length).toBe(256);
    expect(bytes[0]).toBe(0);
    expect(bytes[255]).toBe(255);
    expect((await http.get(`${fx.url}/binary`, { responseType: 'none' })).body).toBeNull();
    const d = load({ discardResponseBodies: true }).http;
    expect((await d.get(`${fx.url}/echo`)).body).toBeNull();
    expect(typeof (await d.get(`${fx.url}/echo`, { responseType: 'text' })).body).toBe('string');
  });

  it('a body first read after later responses on the same socket is still its own (decoded when read)', async () => {
    const { http } = load();
    const first = await http.get(`${fx.url}/echo?n=first`);
    const bin = await http.get(`${fx.url}/binary`, { responseType: 'binary' });
    const later = [];
    for (let i = 0; i < 5; i++) later.push(await http.get(`${fx.url}/echo?n=later-${i}`));
    expect(JSON.parse(first.body).url).toBe('/echo?n=first');
    expect(first.body).toBe(first.body); // decoded once: the same string on every read
    expect(new Uint8Array(bin.body)[255]).toBe(255);
    expect(bin.body).toBe(bin.body);
    expect(later.map((r) => JSON.parse(r.body).url)).toEqual([0, 1, 2, 3, 4].map((i) => `/echo?n=later-${i}`));
    first.body = 'replaced by the script';
    expect(first.body).toBe('replaced by the script');
    expect(JSON.parse(JSON.stringify(later[0])).body).toBe(later[0].body);
  });

  it('json(selector) with gjson-style paths', async () => {
    const { http } = load();
    const res = await http.get(`${fx.url}/json`);
    expect(res.json('user.name')).toBe('ada');
    expect(res.json('user.first\\.name')).toBe('Ada');
    expect(res.json('items.1.id')).toBe(2);
    expect(res.json('items.#')).toBe(3);
    expect(res.json('items.#.tag')).toEqual(['a', 'b', 'c']);
    expect(res.json('items.#(id==3).tag')).toBe('c');
    expect(res.json('items.#(price>10)#.id')).toEqual([2, 3]);
    expect(res.json('us?r.na*')).toBe('ada');
    expect(res.json('nope.nothing')).toBeUndefined();
    expect(res.json().items).toHaveLength(3);
  });

  it('clickLink() and submitForm() say clearly that they are not provided (html() is: test/engine/modules/html.test.ts)', async () => {
    const { http } = load();
    const res = await http.get(`${fx.url}/echo`);
    expect(() => res.clickLink()).toThrow(/clickLink\(\) is not provided by the aetos-load engine/);
    expect(() => res.submitForm()).toThrow(/submitForm\(\) is not provided by the aetos-load engine/);
  });

  it('json() on a non-JSON body names the request', async () => {
    const { http } = load();
    const res = await http.get(`${fx.url}/status/200`);
    expect(() => res.json()).toThrow(/cannot parse the body of GET .*status\/200 as JSON/);
  });
});

describe('params', () => {
  it('headers override the user agent; userAgent option sets it; empty userAgent sends none', async () => {
    const a = load().http;
    expect((await a.get(`${fx.url}/echo`, { headers: { 'User-Agent': 'mine' } })).json().headers['user-agent']).toBe('mine');
    const b = load({ userAgent: 'custom/1' }).http;
    expect((await b.get(`${fx.url}/echo`)).json().headers['user-agent']).toBe('custom/1');
    const c = load({ userAgent: '' }).http;
    expect((await c.get(`${fx.url}/echo`)).json().headers['user-agent']).toBeUndefined();
  });

  it('basic auth from user:pass@ in the URL (auth: basic) and from an Authorization header', async () => {
    const { http, vu } = load();
    const ok = await http.get(`http://user:p%40ss@127.0.0.1:${fx.port}/basic-auth`, { auth: 'basic' });
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('authorized');
    // credentials never reach metric tags
    expect(vu.of('http_reqs').at(-1)!.tags.url).not.toContain('p%40ss');
    const hdr = await http.get(`${fx.url}/basic-auth`, {
      headers: { Authorization: `Basic ${Buffer.from('user:p@ss').toString('base64')}` },
    });
    expect(hdr.status).toBe(200);
    expect((await http.get(`${fx.url}/basic-auth`)).status).toBe(401);
    // digest/ntlm are tested in auth.test.ts
  });

  it('user:pass@ in the URL authenticates without the auth param, as in k6; wrong credentials get 401', async () => {
    const { http } = load();
    const ok = await http.get(`http://user:p%40ss@127.0.0.1:${fx.port}/basic-auth`);
    expect(ok.status).toBe(200);
    expect(ok.request.headers.Authorization).toEqual([`Basic ${Buffer.from('user:p@ss').toString('base64')}`]);
    expect((await http.get(`http://user:wrong@127.0.0.1:${fx.port}/basic-auth`)).status).toBe(401);
  });

  // k6 masks URL credentials in tags (URL.Clean): filters written for k6's tag values match.
  it("url and name tags mask credentials as k6 does (****:****@)", async () => {
    const { http, vu } = load();
    await http.get(`http://user:p%40ss@127.0.0.1:${fx.port}/basic-auth`);
    const t = vu.of('http_reqs').at(-1)!.tags;
    expect(t.url).toBe(`http://****:****@127.0.0.1:${fx.port}/basic-auth`);
    expect(t.name).toBe(t.url);
  });

  it('tags are added to the samples; name tag overrides; http.url template sets name', async () => {
    const { http, vu } = load();
    await http.get(`${fx.url}/echo`, { tags: { endpoint: 'echo', name: 'EchoName' } });
    const s = vu.of('http_reqs').at(-1)!;
    expect(s.tags.endpoint).toBe('echo');
    expect(s.tags.name).toBe('EchoName');
    const id = 42;
    const res = await http.get(http.url`${fx.url}/status/${200}?id=${id}`);
    expect(res.status).toBe(200);
    const t = vu.of('http_reqs').at(-1)!.tags;
    expect(t.url).toBe(`${fx.url}/status/200?id=42`);
    expect(t.name).toBe('${}/status/${}?id=${}');
  });

  it('timeout as string or ms → error_code 1050 with status 0', async () => {
    const { http, vu } = load();
    const t0 = performance.now();
    const res = await http.get(`${fx.url}/hang`, { timeout: '200ms' });
    const took = performance.now() - t0;
    expect(res.status).toBe(0);
    expect(res.error_code).toBe(1050);
    expect(res.error).toBe('request timeout');
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(1500);
    const res2 = await http.get(`${fx.url}/hang`, { timeout: 150 });
    expect(res2.error_code).toBe(1050);
    const s = vu.of('http_reqs').at(-1)!.tags;
    expect(s.error_code).toBe('1050');
    expect(s.status).toBe('0');
    expect(vu.logLines.filter((l) => l.includes('request timeout'))).toHaveLength(1); // warned once
    // the VU goes on: its next request is answered promptly
    const t1 = performance.now();
    expect((await http.get(`${fx.url}/echo`)).status).toBe(200);
    expect(performance.now() - t1).toBeLessThan(1000);
  });

  it('timeout defaults to 60 s; a string without a unit is milliseconds, as in k6', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    try {
      // a fresh VU each time: a VU's first request arms its timeout timer with that request's timeout
      const delays = async (params?: object) => {
        const { http } = load();
        spy.mockClear();
        expect((await http.get(`${fx.url}/echo`, params)).status).toBe(200);
        return spy.mock.calls.map((c) => c[1]);
      };
      const custom = await delays({ timeout: '2.5s' });
      expect(custom).toContain(2500);
      expect(custom).not.toContain(60_000);
      expect(await delays()).toContain(60_000);
      expect(await delays({ timeout: '750' })).toContain(750);
    } finally {
      spy.mockRestore();
    }
    // and a unit-less string really times out after that many ms
    const { http } = load();
    const t0 = performance.now();
    const res = await http.get(`${fx.url}/hang`, { timeout: '150' });
    expect(res.error_code).toBe(1050);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it("a VU's timeouts share one timer: a shorter timeout after a longer one, and concurrent calls, each time out at their own deadline", async () => {
    const { http } = load();
    // the first request arms the timer for 60 s and leaves it armed when it ends
    expect((await http.get(`${fx.url}/echo`)).status).toBe(200);
    const t0 = performance.now();
    const short = await http.get(`${fx.url}/hang`, { timeout: '200ms' });
    const took = performance.now() - t0;
    expect(short.error_code).toBe(1050);
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(2000);
    // side by side: 200 ms, 700 ms and one that is answered (times from the calls, as the deadlines)
    const t1 = performance.now();
    const ended = (p: Promise<{ status: number; error_code: number }>) => p.then((r) => ({ r, at: performance.now() - t1 }));
    const [a, b, ok] = await Promise.all([
      ended(http.asyncRequest('GET', `${fx.url}/hang`, null, { timeout: 200 })),
      ended(http.asyncRequest('GET', `${fx.url}/hang`, null, { timeout: 700 })),
      ended(http.asyncRequest('GET', `${fx.url}/echo`)),
    ]);
    expect(ok.r.status).toBe(200);
    expect(a.r.error_code).toBe(1050);
    expect(b.r.error_code).toBe(1050);
    expect(a.at).toBeGreaterThanOrEqual(190);
    expect(b.at).toBeGreaterThanOrEqual(690);
    // the 200 ms one did not wait for the 700 ms one's deadline
    expect(b.at - a.at).toBeGreaterThan(300);
    expect(b.at).toBeLessThan(3000);
  });

  it("a plain request's header list is reused only while it is the same: params headers, cookies and credentials change what is sent", async () => {
    const { http } = load();
    const sent = async (url: string, params?: object) => JSON.parse((await http.get(url, params)).body as string).headers as Record<string, string>;
    const plain = await sent(`${fx.url}/echo`);
    expect(plain['x-a']).toBeUndefined();
    expect(plain['user-agent']).toMatch(/k6|aetos/);
    expect((await sent(`${fx.url}/echo`, { headers: { 'X-A': '1' } }))['x-a']).toBe('1');
    expect((await sent(`${fx.url}/echo`, { headers: { 'X-A': '2' } }))['x-a']).toBe('2'); // same length, another value
    expect((await sent(`${fx.url}/echo`))['x-a']).toBeUndefined();
    // the response of a reused list still shows the headers sent
    const res = await http.get(`${fx.url}/echo`);
    expect(res.request.headers['User-Agent']).toEqual([plain['user-agent']]);
    expect(res.request.cookies).toEqual({});
    const u = new URL(fx.url);
    expect((await sent(`http://user:pw@${u.host}/echo`)).authorization).toBe(`Basic ${Buffer.from('user:pw').toString('base64')}`);
    expect((await sent(`${fx.url}/echo`)).authorization).toBeUndefined();
    await http.get(`${fx.url}/set-cookie?k=v`);
    expect((await sent(`${fx.url}/echo`)).cookie).toBe('k=v');
    expect((await http.get(`${fx.url}/echo`)).request.cookies).toEqual({ k: [{ name: 'k', value: 'v', replace: false }] });
    expect(res.request.cookies).toEqual({}); // the earlier plain request's, not changed by the later cookie
  });

  it('throw: true throws on network errors but not on 4xx', async () => {
    const { http } = load();
    await expect(http.get('http://127.0.0.1:1/', { throw: true })).rejects.toBeInstanceOf(HttpRequestError);
    await expect(http.get('http://127.0.0.1:1/', { throw: true })).rejects.toThrow(/connection refused/);
    expect((await http.get(`${fx.url}/status/404`, { throw: true })).status).toBe(404);
    const g = load({ throw: true }).http;
    await expect(g.get('http://127.0.0.1:1/')).rejects.toThrow(/connection refused/);
  });

  it('bad params are one clear error', async () => {
    const { http } = load();
    await expect(http.get(`${fx.url}/echo`, { responseType: 'blob' })).rejects.toThrow(/params.responseType must be/);
    await expect(http.get(`${fx.url}/echo`, { timeout: 'soon' })).rejects.toThrow(/params.timeout: invalid duration/);
    await expect(http.get(`${fx.url}/echo`, { redirects: -1 })).rejects.toThrow(/params.redirects/);
  });
});

describe('errors', () => {
  it('connection refused → status 0, error_code 1212, warning logged once, iteration goes on', async () => {
    const { http, vu } = load();
    const res = await http.get('http://127.0.0.1:1/');
    expect(res.status).toBe(0);
    expect(res.error_code).toBe(1212);
    expect(res.error).toMatch(/dial tcp 127.0.0.1:1: connect: connection refused/);
    expect(res.body).toBeNull();
    await http.get('http://127.0.0.1:1/');
    expect(vu.logLines.filter((l) => l.includes('connection refused'))).toHaveLength(1);
    expect(vu.logLines[0]).toMatch(/level=warning msg="Request Failed"/);
    const failed = vu.of('http_req_failed');
    expect(failed.map((s) => s.value)).toEqual([1, 1]);
    expect(failed[0]!.tags.error_code).toBe('1212');
    expect(failed[0]!.tags.expected_response).toBe('false');
  });

  it('a warning is logged once per distinct error; error and error_code tags on the sample; the VU goes on', async () => {
    const { http, vu } = load();
    const refusedA = 'http://127.0.0.1:1/';
    const refusedB = 'http://127.0.0.1:2/';
    for (let i = 0; i < 3; i++) {
      expect((await http.get(refusedA)).status).toBe(0);
      expect((await http.get(refusedB)).status).toBe(0);
      expect((await http.get(`${fx.url}/hang`, { timeout: 50 })).error_code).toBe(1050);
      expect((await http.get('not a url')).error_code).toBe(1020);
    }
    const warnings = vu.logLines.filter((l) => l.includes('Request Failed'));
    expect(warnings).toHaveLength(4);
    expect(warnings.filter((l) => l.includes('127.0.0.1:1:'))).toHaveLength(1);
    expect(warnings.filter((l) => l.includes('127.0.0.1:2:'))).toHaveLength(1);
    expect(warnings.filter((l) => l.includes('request timeout'))).toHaveLength(1);
    expect(warnings.filter((l) => l.includes('invalid URL'))).toHaveLength(1);
    const s = vu.of('http_reqs').find((x) => x.tags.url === refusedA)!;
    expect(s.tags).toMatchObject({
      method: 'GET',
      url: refusedA,
      name: refusedA,
      status: '0',
      error_code: '1212',
      error: 'dial tcp 127.0.0.1:1: connect: connection refused',
      expected_response: 'false',
    });
    expect((await http.get(`${fx.url}/echo`)).status).toBe(200);
  });

  it('404 → error_code 1404 (no error text), tagged', async () => {
    const { http, vu } = load();
    const res = await http.get(`${fx.url}/status/404`);
    expect(res.status).toBe(404);
    expect(res.error_code).toBe(1404);
    expect(res.body).toBe('status 404');
    const t = vu.of('http_reqs')[0]!.tags;
    expect(t.error_code).toBe('1404');
    expect(t.status).toBe('404');
    expect(vu.of('http_req_failed')[0]!.value).toBe(1);
    expect((await http.get(`${fx.url}/status/503`)).error_code).toBe(1503);
  });

  it('invalid URL → error_code 1020', async () => {
    const { http } = load();
    const res = await http.get('not a url');
    expect(res.status).toBe(0);
    expect(res.error_code).toBe(1020);
    const ftp = await http.get('ftp://127.0.0.1/x');
    expect(ftp.error_code).toBe(1020);
    expect(ftp.error).toMatch(/unsupported protocol scheme "ftp"/);
  });
});

describe('expected statuses', () => {
  it('setResponseCallback and per-request responseCallback decide expected_response / http_req_failed', async () => {
    const { http, vu } = load();
    await http.get(`${fx.url}/status/404`, { responseCallback: http.expectedStatuses(404) });
    expect(vu.of('http_req_failed').at(-1)!.value).toBe(0);
    expect(vu.of('http_reqs').at(-1)!.tags.expected_response).toBe('true');
    http.setResponseCallback(http.expectedStatuses({ min: 200, max: 204 }, 418));
    await http.get(`${fx.url}/status/418`);
    expect(vu.of('http_req_failed').at(-1)!.value).toBe(0);
    await http.get(`${fx.url}/status/302`, { redirects: 0 });
    expect(vu.of('http_req_failed').at(-1)!.value).toBe(1);
    http.setResponseCallback(null);
    const before = vu.of('http_req_failed').length;
    await http.get(`${fx.url}/status/500`);
    expect(vu.of('http_req_failed').length).toBe(before);
    expect(vu.of('http_reqs').at(-1)!.tags.expected_response).toBeUndefined();
    expect(() => http.expectedStatuses('200')).toThrow(/argument 1 must be an integer status/);
    expect(() => http.setResponseCallback(() => true)).toThrow(/only the result of http.expectedStatuses/);
  });
});

describe('interruption', () => {
  it('an interrupted iteration aborts the in-flight request with IterationInterrupted', async () => {
    const { http, vu } = load();
    await vu.startIteration();
    const p = http.get(`${fx.url}/hang`);
    setTimeout(() => vu.interrupt(), 50);
    await expect(p).rejects.toMatchObject({ name: 'IterationInterrupted' });
    await expect(http.get(`${fx.url}/echo`)).rejects.toMatchObject({ name: 'IterationInterrupted' });
    await vu.startIteration();
    expect((await http.get(`${fx.url}/echo`)).status).toBe(200);
  });
});
