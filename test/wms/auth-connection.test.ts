// The bearer check remembers the last header that passed on each connection (wms/auth/guard.ts):
// on one kept-alive socket, another user's token, a forged one, none at all and an expired one are
// each judged afresh, and the remembered one still answers as its own user.
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, startTestTarget, type TestTarget } from './helpers.ts';

/** GET `path` on the agent's one socket: status, body and the socket's local port (the same port: the same connection). */
function get(agent: Agent, url: string, path: string, authorization?: string): Promise<{ status: number; body: string; port: number }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { agent, headers: authorization === undefined ? {} : { authorization } }, (res) => {
      let body = '';
      const port = res.socket.localPort ?? 0; // the agent takes the socket back once the body has ended
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, port }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('bearer tokens on one kept-alive connection', () => {
  let t: TestTarget;
  let agent: Agent;
  beforeAll(async () => {
    t = await startTestTarget('pglite', { jwtTtlSeconds: 2 });
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
  });
  afterAll(async () => {
    agent?.destroy();
    await t?.stopAll();
  });

  it('judges every other header afresh, and the remembered one until it expires', async () => {
    const a = await login(t.url, 'user0001');
    const b = await login(t.url, 'user0002');
    const forged = `${a.slice(0, -2)}${a.endsWith('AA') ? 'BB' : 'AA'}`;
    const seen: [number, string][] = [];
    const ask = async (authorization?: string) => {
      const r = await get(agent, t.url, '/api/auth/me', authorization);
      seen.push([r.status, r.status === 200 ? (JSON.parse(r.body) as { username: string }).username : '']);
      return r.port;
    };
    const ports = new Set<number>();
    for (const h of [`Bearer ${a}`, `Bearer ${a}`, `Bearer ${b}`, `Bearer ${forged}`, undefined, `bearer ${a}`, `Bearer  ${a}`, `Bearer ${a}`]) ports.add(await ask(h));
    expect(seen).toEqual([
      [200, 'user0001'],
      [200, 'user0001'],
      [200, 'user0002'],
      [401, ''],
      [401, ''],
      [401, ''],
      [401, ''],
      [200, 'user0001'],
    ]);
    // wait out the token's expiry (exp = iat + 2 s, iat in whole seconds)
    const exp = (JSON.parse(Buffer.from(a.split('.')[1], 'base64url').toString()) as { exp: number }).exp;
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 50));
    ports.add(await ask(`Bearer ${a}`));
    expect(seen.at(-1)).toEqual([401, '']);
    expect(ports.size).toBe(1); // all on the one connection
  });
});
