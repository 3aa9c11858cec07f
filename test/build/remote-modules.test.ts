/**
 * Modules imported by URL: fetched from a local HTTP and a local HTTPS server (self-signed
 * certificate made here with openssl, trusted only through the explicit AETOS_LOAD_MODULE_CA
 * setting), kept in an on-disk cache keyed by URL, reused offline, refreshed on request, inlined into
 * the bundle, and run on a real VU. Loopback only.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleToDir, bundleToString } from '../../engine/build/bundle.ts';
import { cachedFetcher, remoteSettings, type RemoteModuleSettings } from '../../engine/build/remote-modules.ts';
import { loadScript } from '../../engine/loader/index.ts';
import { bundleViolations, inspectBundle } from './bundle-checks.ts';
import { fixture, harness } from '../engine/vu/harness.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'aetos-remote-'));
const modules: Record<string, string> = {
  '/lib/index.js': `import { twice } from './util.js';\nimport { half } from '/lib/deep/half.js';\nexport function randomIntBetween(a, b) { return a; }\nexport { twice, half };\n`,
  '/lib/util.js': `import { sleep } from 'k6';\nexport const twice = (x) => { sleep(0.001); return x * 2; };\n`,
  '/lib/deep/half.js': `export const half = (x) => x / 2;\n`,
  '/secure.js': `export const secret = 'over tls';\n`,
  '/thrower.js': `export function boom() {\n  throw new Error('remote boom');\n}\n`,
};
const hits: string[] = [];
let down = false;
const handler: http.RequestListener = (req, res) => {
  hits.push(req.url ?? '');
  if (down) {
    res.writeHead(503).end('down');
    return;
  }
  const body = modules[req.url ?? ''];
  if (body === undefined) {
    res.writeHead(404).end('no');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/javascript' }).end(body);
};
let server: http.Server;
let tlsServer: https.Server;
let base = '';
let tlsBase = '';

beforeAll(async () => {
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  server = http.createServer(handler);
  tlsServer = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tlsBase = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  tlsServer.closeAllConnections();
  await new Promise((r) => server.close(r));
  await new Promise((r) => tlsServer.close(r));
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
/** A script in its own folder, and settings with a cache of its own (tests do not share entries). */
function setup(code: string, over: Partial<RemoteModuleSettings> = {}) {
  const sub = path.join(dir, `case-${n++}`);
  mkdirSync(sub);
  const file = path.join(sub, 'script.js');
  writeFileSync(file, code);
  const settings = remoteSettings({}, sub, { cacheDir: path.join(sub, 'cache'), ...over });
  return { sub, file, settings };
}

const script = (url: string) =>
  `import { randomIntBetween, twice, half } from '${url}';\nexport const options = { iterations: 1 };\nexport default function () { console.log(randomIntBetween(3, 9), twice(4), half(4)); }\n`;

describe('remote modules', () => {
  it('are fetched with their relative and absolute-path imports, run on a VU, and come from the cache the second time', async () => {
    const { file, settings } = setup(script(`${base}/lib/index.js`));
    hits.length = 0;
    const loaded = await loadScript(file, { bundle: { remote: cachedFetcher(settings) } });
    expect(loaded.code).toContain('randomIntBetween');
    expect(hits.sort()).toEqual(['/lib/deep/half.js', '/lib/index.js', '/lib/util.js']);

    hits.length = 0;
    const again = await bundleToString(file, { remote: cachedFetcher(settings) });
    expect(hits).toEqual([]);
    expect(inspectBundle(again).imports).toEqual(['k6']);
    expect(bundleViolations(again)).toEqual([]);
  });

  it('a script importing by URL runs on a real VU', async () => {
    const { file, settings } = setup(script(`${base}/lib/index.js`));
    const prev = process.env.AETOS_LOAD_MODULE_CACHE;
    process.env.AETOS_LOAD_MODULE_CACHE = settings.cacheDir;
    try {
      const h = await harness(file);
      const vu = await h.vu(1);
      expect(await h.iterate(vu, 1)).toEqual(['completed']);
      expect(h.rec.console).toEqual(['3 8 2']);
    } finally {
      if (prev === undefined) delete process.env.AETOS_LOAD_MODULE_CACHE;
      else process.env.AETOS_LOAD_MODULE_CACHE = prev;
    }
  });

  it('an error inside a remote module is reported at its URL and line', async () => {
    const { file, settings } = setup(`import { boom } from '${base}/thrower.js';\nexport default function () { boom(); }\n`);
    const prev = process.env.AETOS_LOAD_MODULE_CACHE;
    process.env.AETOS_LOAD_MODULE_CACHE = settings.cacheDir;
    try {
      const h = await harness(file);
      const vu = await h.vu(1);
      await h.iterate(vu, 1);
      expect(h.rec.errors[0]).toContain(`at boom (${base}/thrower.js:2:`);
      expect(h.rec.errors[0]).toMatch(/at default \([^)]*script\.js:2:\d+\)/);
    } finally {
      if (prev === undefined) delete process.env.AETOS_LOAD_MODULE_CACHE;
      else process.env.AETOS_LOAD_MODULE_CACHE = prev;
    }
  });

  it('offline, stale and refresh: the cache is reused when the server fails; refresh (--no-cache) refetches', async () => {
    const { file, settings } = setup(script(`${base}/lib/index.js`));
    await bundleToString(file, { remote: cachedFetcher(settings) });

    hits.length = 0;
    await bundleToString(file, { remote: cachedFetcher({ ...settings, refresh: true }) });
    expect(hits.length).toBe(3);

    hits.length = 0;
    down = true;
    try {
      expect(await bundleToString(file, { remote: cachedFetcher({ ...settings, offline: true }) })).toContain('randomIntBetween');
      expect(hits).toEqual([]);
      // stale (TTL 0): refetched, the server fails, the cached copy is used with a warning naming the URL
      const warnings: string[] = [];
      expect(await bundleToString(file, { remote: cachedFetcher({ ...settings, ttlMs: 0, warn: (m) => warnings.push(m) }) })).toContain('x / 2');
      expect(hits.length).toBe(3);
      expect(warnings[0]).toMatch(new RegExp(`^cannot fetch ${base}/lib/.*: HTTP 503 Service Unavailable; using the copy cached \\d{4}-`));
      // refresh never falls back: the user asked for a fresh copy
      await expect(bundleToString(file, { remote: cachedFetcher({ ...settings, refresh: true }) })).rejects.toThrow(/HTTP 503/);
    } finally {
      down = false;
    }
  });

  it('a refused connection names the URL and the reason', async () => {
    // a port that was just free: nothing listens on it
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const gone = setup(script(`http://127.0.0.1:${port}/lib/index.js`));
    await expect(bundleToString(gone.file, { remote: cachedFetcher(gone.settings) })).rejects.toThrow(
      new RegExp(`script\\.js:1:\\d+: error: cannot fetch http://127\\.0\\.0\\.1:${port}/lib/index\\.js: .*ECONNREFUSED`),
    );
  });

  it('a failed fetch names the URL, the reason and the import line', async () => {
    const { file, settings } = setup(`import { x } from '${base}/missing.js';\nexport default function () { x(); }\n`);
    await expect(bundleToString(file, { remote: cachedFetcher(settings) })).rejects.toThrow(
      new RegExp(`script\\.js:1:\\d+: error: cannot fetch ${base}/missing\\.js: HTTP 404 Not Found`),
    );
    const offline = setup(`import { x } from '${base}/lib/util.js';\nexport default function () {}\n`, { offline: true });
    await expect(bundleToString(offline.file, { remote: cachedFetcher(offline.settings) })).rejects.toThrow(/offline .* not in the module cache/);
  });

  it('HTTPS: an untrusted certificate is refused with the way to trust it; AETOS_LOAD_MODULE_CA trusts it', async () => {
    const code = `import { secret } from '${tlsBase}/secure.js';\nexport default function () { console.log(secret); }\n`;
    const refused = setup(code);
    await expect(bundleToString(refused.file, { remote: cachedFetcher(refused.settings) })).rejects.toThrow(
      new RegExp(`cannot fetch ${tlsBase}/secure\\.js: self[- ]signed certificate.*NODE_EXTRA_CA_CERTS`),
    );
    const trusted = setup(code, { caFile: path.join(dir, 'cert.pem') });
    expect(await bundleToString(trusted.file, { remote: cachedFetcher(trusted.settings) })).toContain('over tls');
  });

  it('build/ gets the remote code inlined: a self-contained k6 script', async () => {
    const { sub, file, settings } = setup(script(`${base}/lib/index.js`));
    const [out] = await bundleToDir([file], path.join(sub, 'build'), { remote: cachedFetcher(settings) });
    const built = readFileSync(out as string, 'utf8');
    expect(inspectBundle(built).imports).toEqual(['k6']);
    expect(built).not.toMatch(/from\s*["']https?:/);
    expect(built).toContain('x / 2');
  });

  it('a jslib URL (the former refused/r09) runs from a seeded cache, offline', async () => {
    const url = 'https://jslib.k6.io/k6-utils/1.4.0/index.js';
    const cacheDir = path.join(dir, 'seeded');
    // seed the entry the way a first (online) run would have written it
    const key = createHash('sha256').update(url).digest('hex');
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(path.join(cacheDir, `${key}.js`), 'export function randomItem(a) { return a[0]; }\n');
    writeFileSync(path.join(cacheDir, `${key}.json`), JSON.stringify({ url, fetchedAt: Date.now() }));
    const prev = { c: process.env.AETOS_LOAD_MODULE_CACHE, o: process.env.AETOS_LOAD_OFFLINE };
    process.env.AETOS_LOAD_MODULE_CACHE = cacheDir;
    process.env.AETOS_LOAD_OFFLINE = '1';
    try {
      const h = await harness(fixture('remote/jslib-utils.js'));
      const vu = await h.vu(1);
      expect(await h.iterate(vu, 1)).toEqual(['completed']);
      expect(h.rec.console).toEqual(['picked 7']);
    } finally {
      for (const [k, v] of [['AETOS_LOAD_MODULE_CACHE', prev.c], ['AETOS_LOAD_OFFLINE', prev.o]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
