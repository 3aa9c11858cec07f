/**
 * The cookie jar: unit rules (domain, path, secure, expiry) and end to end with redirects,
 * request-scoped cookies, the per-iteration reset and noCookiesReset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, parseSetCookie } from '../../../../engine/modules/http/cookies.ts';
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

describe('CookieJar rules', () => {
  it('parses Set-Cookie attributes', () => {
    const c = parseSetCookie('sid="abc"; Domain=.Example.com; Path=/app; Max-Age=60; Secure; HttpOnly')!;
    expect(c).toMatchObject({ name: 'sid', value: 'abc', domain: 'example.com', path: '/app', max_age: 60, secure: true, http_only: true });
    expect(parseSetCookie('novalue')).toBeNull();
  });

  it('matches by domain, path, secure and expiry', () => {
    const jar = new CookieJar();
    const u = new URL('http://api.example.com/app/x');
    jar.setFromResponse(u, ['a=1; Path=/app', 'b=2; Domain=example.com; Path=/', 'c=3; Secure', 'd=4; Max-Age=0', 'e=5; Domain=other.com']);
    expect(jar.cookiesForURL('http://api.example.com/app/y')).toEqual({ a: ['1'], b: ['2'] });
    expect(jar.cookiesForURL('https://api.example.com/app/y')).toEqual({ a: ['1'], b: ['2'], c: ['3'] });
    expect(jar.cookiesForURL('http://www.example.com/app')).toEqual({ b: ['2'] }); // a is host-only
    expect(jar.cookiesForURL('http://api.example.com/application')).toEqual({ b: ['2'] }); // path boundary
    jar.setFromResponse(u, ['b=gone; Domain=example.com; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
    expect(jar.cookiesForURL('http://api.example.com/app/')).toEqual({ a: ['1'] });
  });

  it('set / delete / clear as k6 documents them', () => {
    const jar = new CookieJar();
    jar.set('http://h.test/', 'k', 'v');
    jar.set('http://h.test/', 'k2', 'v2', { path: '/p', secure: false, max_age: 100 });
    expect(jar.cookiesForURL('http://h.test/p/q')).toEqual({ k2: ['v2'], k: ['v'] });
    jar.delete('http://h.test/', 'k');
    expect(jar.cookiesForURL('http://h.test/p')).toEqual({ k2: ['v2'] });
    jar.clear('http://h.test/p');
    expect(jar.cookiesForURL('http://h.test/p')).toEqual({});
  });
});

describe('cookies over HTTP', () => {
  it('response.cookies and the VU jar sends them back', async () => {
    const { http } = load();
    const res = await http.get(`${fx.url}/set-cookie?sid=abc&theme=dark`);
    expect(res.cookies.sid[0]).toMatchObject({ name: 'sid', value: 'abc', path: '/', http_only: true, domain: '127.0.0.1' });
    const echo = (await http.get(`${fx.url}/echo`)).json();
    expect(echo.headers.cookie).toBe('sid=abc; theme=dark');
    expect(http.cookieJar().cookiesForURL(`${fx.url}/`)).toEqual({ sid: ['abc'], theme: ['dark'] });
  });

  it('cookies set on every redirect hop are sent on the next hops', async () => {
    const { http, vu } = load();
    const res = await http.get(`${fx.url}/redirect/3?cookie=1`);
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${fx.url}/echo`);
    expect(res.json().headers.cookie).toBe('hop3=v3; hop2=v2; hop1=v1');
    // each hop is its own sample
    const urls = vu.of('http_reqs').map((s) => `${s.tags.status} ${s.tags.url}`);
    expect(urls).toEqual([
      `302 ${fx.url}/redirect/3?cookie=1`,
      `302 ${fx.url}/redirect/2?cookie=1`,
      `302 ${fx.url}/redirect/1?cookie=1`,
      `200 ${fx.url}/echo`,
    ]);
  });

  it('request-scoped cookies (params.cookies), with and without replace', async () => {
    const { http } = load();
    http.cookieJar().set(fx.url, 'a', 'jar');
    const echo = (await http.get(`${fx.url}/echo`, { cookies: { a: 'param', b: 'only' } })).json();
    expect(echo.headers.cookie).toBe('a=jar; b=only');
    const echo2 = (await http.get(`${fx.url}/echo`, { cookies: { a: { value: 'param', replace: true } } })).json();
    expect(echo2.headers.cookie).toBe('a=param');
    expect(http.cookieJar().cookiesForURL(fx.url)).toEqual({ a: ['jar'] }); // not stored
  });

  it('the VU jar API changes what requests send: set, delete(url, name), clear(url)', async () => {
    const { http } = load();
    const jar = http.cookieJar();
    await http.get(`${fx.url}/set-cookie?a=1&b=2`);
    jar.set(fx.url, 'c', '3');
    expect((await http.get(`${fx.url}/echo`)).json().headers.cookie).toBe('a=1; b=2; c=3');
    jar.delete(fx.url, 'b');
    expect((await http.get(`${fx.url}/echo`)).json().headers.cookie).toBe('a=1; c=3');
    jar.clear(fx.url);
    expect((await http.get(`${fx.url}/echo`)).json().headers.cookie).toBeUndefined();
    expect(jar.cookiesForURL(fx.url)).toEqual({});
  });

  it('a custom jar via params.jar; new CookieJar()', async () => {
    const { http } = load();
    const jar = new http.CookieJar();
    jar.set(fx.url, 'own', '1');
    expect((await http.get(`${fx.url}/echo`, { jar })).json().headers.cookie).toBe('own=1');
    expect((await http.get(`${fx.url}/echo`)).json().headers.cookie).toBeUndefined();
  });

  it('the VU jar resets at each iteration start unless noCookiesReset', async () => {
    const a = load();
    await a.vu.startIteration();
    await a.http.get(`${fx.url}/set-cookie?x=1`);
    await a.vu.startIteration();
    expect((await a.http.get(`${fx.url}/echo`)).json().headers.cookie).toBeUndefined();
    const b = load({ noCookiesReset: true });
    await b.vu.startIteration();
    await b.http.get(`${fx.url}/set-cookie?x=1`);
    await b.vu.startIteration();
    expect((await b.http.get(`${fx.url}/echo`)).json().headers.cookie).toBe('x=1');
  });
});

describe('redirects', () => {
  it('maxRedirects option and params.redirects limit the hops and return the redirection', async () => {
    const a = load({ maxRedirects: 1 });
    const res = await a.http.get(`${fx.url}/redirect/3`);
    expect(res.status).toBe(302);
    expect(res.url).toBe(`${fx.url}/redirect/2`);
    expect(a.vu.logLines.join('\n')).toMatch(/Stopped after 1 redirects/);
    const b = load();
    expect((await b.http.get(`${fx.url}/redirect/3`, { redirects: 0 })).status).toBe(302);
    expect((await b.http.get(`${fx.url}/redirect/3`)).status).toBe(200);
    expect((await b.http.get(`${fx.url}/redirect/11`)).status).toBe(302); // default 10
  });

  it('maxRedirects defaults to exactly 10: 10 redirects are followed, the 11th is returned; every hop is a sample', async () => {
    const { http, vu } = load();
    const ten = await http.get(`${fx.url}/redirect/10`);
    expect(ten.status).toBe(200);
    expect(ten.url).toBe(`${fx.url}/echo`);
    expect(vu.of('http_reqs')).toHaveLength(11);
    const eleven = await http.get(`${fx.url}/redirect/11`);
    expect(eleven.status).toBe(302);
    expect(eleven.url).toBe(`${fx.url}/redirect/1`);
    expect(vu.of('http_reqs')).toHaveLength(22);
    expect(vu.of('http_req_duration')).toHaveLength(22);
  });

  it('303/302 turn POST into GET without body; 307 keeps method and body', async () => {
    const { http } = load();
    const r302 = (await http.post(`${fx.url}/redirect/1?code=302`, 'data')).json();
    expect(r302.method).toBe('GET');
    expect(r302.length).toBe(0);
    const r307 = (await http.post(`${fx.url}/redirect/1?code=307`, 'data')).json();
    expect(r307.method).toBe('POST');
    expect(r307.body).toBe('data');
  });
});
