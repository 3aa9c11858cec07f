/**
 * k6's error-code table: how Node/undici errors map to codes and messages, from built errors and
 * from real sockets that misbehave (undici's wrapping of them can change between releases).
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyError, RequestTimeoutError, statusErrorCode } from '../../../../engine/modules/http/error-codes.ts';
import { closeAll, load } from './harness.ts';

const sys = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(code), { code, ...extra });

describe('classifyError', () => {
  it.each([
    [new RequestTimeoutError(), 1050, /request timeout/],
    [sys('ECONNREFUSED'), 1212, /dial tcp h:1: connect: connection refused/],
    [sys('UND_ERR_CONNECT_TIMEOUT'), 1211, /i\/o timeout/],
    [sys('ECONNRESET'), 1220, /connection reset by peer/],
    [sys('EPIPE'), 1201, /broken pipe/],
    [sys('ENOTFOUND', { hostname: 'x.test' }), 1101, /lookup x.test: no such host/],
    [sys('EAI_AGAIN', { hostname: 'x.test' }), 1100, /lookup x.test/],
    [sys('DEPTH_ZERO_SELF_SIGNED_CERT'), 1310, /unknown authority/],
    [sys('ERR_TLS_CERT_ALTNAME_INVALID'), 1311, /not valid for this host/],
    [sys('ERR_SSL_WRONG_VERSION_NUMBER'), 1300, /tls/],
    [sys('ERR_INVALID_URL'), 1020, /ERR_INVALID_URL/],
    [new Error('odd'), 1000, /odd/],
  ])('%s → %i', (err, code, msg) => {
    const c = classifyError(err, 'h:1');
    expect(c.code).toBe(code);
    expect(c.message).toMatch(msg);
  });

  it('unwraps causes (undici wraps socket errors)', () => {
    const outer = new Error('fetch failed', { cause: sys('ECONNREFUSED') });
    expect(classifyError(outer, 'h:2').code).toBe(1212);
  });

  it('statuses ≥ 400 → 1000 + status', () => {
    expect(statusErrorCode(404)).toBe(1404);
    expect(statusErrorCode(503)).toBe(1503);
    expect(statusErrorCode(302)).toBe(0);
    expect(statusErrorCode(200)).toBe(0);
  });
});

describe('TCP errors from a real socket', () => {
  const servers: net.Server[] = [];
  afterAll(async () => {
    await closeAll();
    for (const s of servers) await new Promise((r) => s.close(r));
  });
  /** A raw TCP server that reads the request and then does `onRequest` to the socket. */
  async function misbehaving(onRequest: (s: net.Socket) => void): Promise<string> {
    const server = net.createServer((s) => s.once('data', () => onRequest(s)));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
  }

  it('a reset (RST) after the request → status 0, error_code 1220, the VU goes on', async () => {
    const url = await misbehaving((s) => s.resetAndDestroy());
    const { http, vu } = load();
    const res = await http.get(url);
    expect(res.status).toBe(0);
    expect(res.error_code).toBe(1220);
    expect(res.error).toMatch(/read tcp 127\.0\.0\.1:\d+: read: connection reset by peer/);
    expect(vu.of('http_req_failed')[0]!.tags.error_code).toBe('1220');
  });

  it('a close without an answer → status 0, error_code 1200 (a generic TCP error)', async () => {
    const url = await misbehaving((s) => s.end());
    const { http } = load();
    const res = await http.get(url);
    expect(res.status).toBe(0);
    expect(res.error_code).toBe(1200);
    expect(res.error).toMatch(/closed/);
  });
});
