// The TLS item against a real local HTTPS server, with certificates made here by the openssl CLI:
// self-signed and untrusted, trusted and valid, trusted but expiring, and naming another host.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tlsItem } from '../../../ops/preflight/items/tls.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aetos-tls-'));
const servers: https.Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(dir, { recursive: true, force: true });
});

/** A self-signed certificate valid `days` days for the given subjectAltName; returns its files. */
function makeCert(name: string, days: number, san: string): { key: string; cert: string } {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', String(days), '-subj', '/CN=aetos-test', '-addext', `subjectAltName=${san}`], { stdio: 'ignore' });
  return { key, cert };
}

async function serve(c: { key: string; cert: string }): Promise<string> {
  const s = https.createServer({ key: readFileSync(c.key), cert: readFileSync(c.cert) }, (_req, res) => res.end('ok'));
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `https://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

describe('preflight TLS item', () => {
  const good = makeCert('good', 400, 'IP:127.0.0.1,DNS:localhost');
  const expiring = makeCert('expiring', 10, 'IP:127.0.0.1');
  const other = makeCert('other', 400, 'DNS:aetos.example');

  it('fails a self-signed certificate nobody trusts, naming the chain error', async () => {
    const r = await tlsItem({ url: await serve(good), certDays: 30, timeoutMs: 5000 });
    expect(r.status).toBe('fail');
    expect(r.reason).toMatch(/chain does not verify: .*SELF_SIGNED/i);
  });

  it('passes a trusted certificate for the host, valid well past --cert-days, on TLS ≥ 1.2', async () => {
    const r = await tlsItem({ url: await serve(good), certDays: 30, caFile: good.cert, timeoutMs: 5000 });
    expect(r.status, r.reason).toBe('pass');
    expect(r.reason).toMatch(/TLSv1\.[23], expires in 39\d days/);
    expect(r.measured?.daysLeft).toBeGreaterThan(390);
  });

  it('warns when the certificate expires within --cert-days, and passes with a smaller --cert-days', async () => {
    const url = await serve(expiring);
    const r = await tlsItem({ url, certDays: 30, caFile: expiring.cert, timeoutMs: 5000 });
    expect(r.status).toBe('warn');
    expect(r.reason).toMatch(/expires in (9|10) days .* within --cert-days 30/);
    expect((await tlsItem({ url, certDays: 5, caFile: expiring.cert, timeoutMs: 5000 })).status).toBe('pass');
  });

  it('fails a trusted certificate that names another host', async () => {
    const r = await tlsItem({ url: await serve(other), certDays: 30, caFile: other.cert, timeoutMs: 5000 });
    expect(r.status).toBe('fail');
    expect(r.reason).toContain('does not name 127.0.0.1');
  });

  it('is not configured for an http URL', async () => {
    expect(await tlsItem({ url: 'http://127.0.0.1:1', certDays: 30, timeoutMs: 1000 })).toMatchObject({ status: 'not configured' });
  });
});
