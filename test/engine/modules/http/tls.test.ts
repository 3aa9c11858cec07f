/**
 * HTTPS: a self-signed certificate (made with the openssl CLI for the test) is refused with a
 * 13xx code unless insecureSkipTLSVerify; TLS handshake timing, tls_version, and tlsVersion limits.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, load } from './harness.ts';

let server: https.Server;
let url: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aetos-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end('secure'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await closeAll();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('https', () => {
  it('an untrusted certificate → status 0 and error_code 1310', async () => {
    const { http } = load();
    const res = await http.get(url);
    expect(res.status).toBe(0);
    expect(res.error_code).toBe(1310);
    expect(res.error).toMatch(/unknown authority/);
  });

  it('insecureSkipTLSVerify: 200, tls_handshaking > 0 on the first request only, tls_version tag', async () => {
    const { http, vu } = load({ insecureSkipTLSVerify: true });
    const first = await http.get(url);
    expect(first.status).toBe(200);
    expect(first.body).toBe('secure');
    expect(first.timings.tls_handshaking).toBeGreaterThan(0);
    expect(first.tls_version).toBe('tls1.3');
    expect(first.tls_cipher_suite).not.toBe('');
    const second = await http.get(url);
    expect(second.timings.tls_handshaking).toBe(0);
    expect(vu.of('http_reqs')[0]!.tags.tls_version).toBe('tls1.3');
    expect(vu.of('http_req_tls_handshaking')[0]!.value).toBe(first.timings.tls_handshaking);
  });

  it('tlsVersion limits the protocol', async () => {
    const { http } = load({ insecureSkipTLSVerify: true, tlsVersion: http12() });
    const res = await http.get(url);
    expect(res.tls_version).toBe('tls1.2');
    expect(() => load({ tlsVersion: 'ssl3' })).toThrow(/invalid tlsVersion "ssl3"/);
    // the string form (k6: tlsVersion: http.TLS_1_2) pins one version
    const pinned = load({ insecureSkipTLSVerify: true, tlsVersion: 'tls1.2' });
    expect(pinned.http.TLS_1_2).toBe('tls1.2');
    const r12 = await pinned.http.get(url);
    expect(r12.status).toBe(200);
    expect(r12.tls_version).toBe('tls1.2');
    expect(pinned.vu.of('http_reqs').at(-1)!.tags.tls_version).toBe('tls1.2');
    // a version the server does not offer fails the handshake with a 13xx code
    const old = load({ insecureSkipTLSVerify: true, tlsVersion: 'tls1.0' });
    const r10 = await old.http.get(url);
    expect(r10.status).toBe(0);
    expect(r10.error_code).toBeGreaterThanOrEqual(1300);
    expect(r10.error_code).toBeLessThan(1400);
  });
});

function http12() {
  return { min: 'tls1.2', max: 'tls1.2' };
}
