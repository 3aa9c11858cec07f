/**
 * blacklistIPs and blockHostnames: enforced before a socket is opened, with k6's error codes
 * (1111, 1112), messages and error_code tags. The fixture counts the TCP connections it accepts,
 * so "no connection reached it" is observed, not assumed. Only loopback addresses are used.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectBlocklist } from '../../../../engine/modules/http/blocklist.ts';
import { closeAll, load } from './harness.ts';

let server: http.Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  server = http.createServer((_req, res) => res.end('ok'));
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await closeAll();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('blacklistIPs', () => {
  it('a request to a blacklisted loopback range fails with 1111 and never connects', async () => {
    const { http: api, vu } = load({ blacklistIPs: ['127.0.0.0/8'] });
    const before = connections;
    const res = await api.get(`http://127.0.0.1:${port}/x`);
    expect(res.status).toBe(0);
    expect(res.error_code).toBe(1111);
    expect(res.error).toBe('IP (127.0.0.1) is in a blacklisted range (127.0.0.0/8)');
    const reqs = vu.samples.filter((s) => s.metric === 'http_reqs');
    expect(reqs.at(-1)?.tags).toMatchObject({ error_code: '1111', status: '0' });
    // a name resolved by DNS is checked after the lookup, before the dial
    const viaDns = await api.get(`http://localhost:${port}/x`);
    expect(viaDns.error_code).toBe(1111);
    expect(connections).toBe(before);
  });

  it('a /32 blocks that one address only; others are reached', async () => {
    const { http: api } = load({ blacklistIPs: ['127.0.0.2/32'] });
    const before = connections;
    const blocked = await api.get(`http://127.0.0.2:${port}/`);
    // 1111, not 1212 (connection refused): the check happens before any dial
    expect(blocked.error_code).toBe(1111);
    expect(blocked.error).toBe('IP (127.0.0.2) is in a blacklisted range (127.0.0.2/32)');
    const ok = await api.get(`http://127.0.0.1:${port}/`);
    expect(ok.status).toBe(200);
    expect(connections).toBe(before + 1);
  });

  it('an IP reached through the hosts option is checked too; throw: true throws the error', async () => {
    const { http: api } = load({ blacklistIPs: ['127.0.0.0/8'], hosts: { 'stock.test': '127.0.0.1' }, throw: true });
    const before = connections;
    await expect(api.get(`http://stock.test:${port}/`)).rejects.toThrow('IP (127.0.0.1) is in a blacklisted range (127.0.0.0/8)');
    expect(connections).toBe(before);
  });
});

describe('blockHostnames', () => {
  it('exact and *.suffix patterns fail with 1112 before DNS and dialing; other names go through', async () => {
    const hosts = { 'api.blocked.test': '127.0.0.1', 'blocked.test': '127.0.0.1', 'open.test': '127.0.0.1', 'exact.test': '127.0.0.1' };
    const { http: api, vu } = load({ blockHostnames: ['*.blocked.test', 'exact.test'], hosts });
    const before = connections;
    const sub = await api.get(`http://api.blocked.test:${port}/`);
    expect(sub.error_code).toBe(1112);
    expect(sub.error).toBe('hostname (api.blocked.test) is in a blocked pattern (*.blocked.test)');
    expect((await api.get(`http://exact.test:${port}/`)).error_code).toBe(1112);
    expect(vu.samples.filter((s) => s.metric === 'http_reqs').at(-1)?.tags.error_code).toBe('1112');
    expect(connections).toBe(before);
    expect((await api.get(`http://blocked.test:${port}/`)).status).toBe(200); // *.x does not match x itself
    expect((await api.get(`http://open.test:${port}/`)).status).toBe(200);
  });

  it('bad patterns and ranges are one clear error', () => {
    expect(() => new ConnectBlocklist(['10.0.0.0/33'], [])).toThrow('option blacklistIPs: "10.0.0.0/33" is not a CIDR range');
    expect(() => new ConnectBlocklist([], ['a.*.com'])).toThrow('option blockHostnames: "a.*.com" is not a hostname pattern');
  });
});
