/**
 * auth: 'digest' and auth: 'ntlm' against servers on 127.0.0.1 that check the answer themselves:
 * the digest server recomputes RFC 7616's response, the NTLM server verifies the NTLMv2 proof
 * with MD4/HMAC-MD5 and requires the whole handshake on one connection.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { md4Digest } from '../../../../engine/modules/crypto.ts';
import { digestAuthorization, parseChallenge } from '../../../../engine/modules/http/auth.ts';
import { closeAll, load } from './harness.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('digest', () => {
  it("RFC 2617's worked example", () => {
    const h = digestAuthorization(
      ['Basic realm="x"', 'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'],
      'GET',
      '/dir/index.html',
      { user: 'Mufasa', password: 'Circle Of Life' },
      '0a4f113b',
    );
    expect(parseChallenge(h!.replace(/^Digest /, ''))).toMatchObject({ response: '6629fae49393a05397450978507c4ef1', qop: 'auth', nc: '00000001', opaque: '5ccc069c403ebaf9f0171e9517f40e41' });
    expect(digestAuthorization(['Basic realm="x"'], 'GET', '/', { user: 'a', password: 'b' })).toBeNull();
  });
});

let server: http.Server;
let base = '';
const ntlmSockets: Socket[] = [];
const CHALLENGE = randomBytes(8);

function type2(): string {
  const targetInfo = Buffer.concat([Buffer.from([2, 0, 6, 0]), Buffer.from('WMS', 'utf16le'), Buffer.from([0, 0, 0, 0])]);
  const target = Buffer.from('WMS', 'utf16le');
  const head = Buffer.alloc(56);
  head.write('NTLMSSP\0', 0, 'latin1');
  head.writeUInt32LE(2, 8);
  head.writeUInt16LE(target.length, 12);
  head.writeUInt16LE(target.length, 14);
  head.writeUInt32LE(56, 16);
  head.writeUInt32LE(0x1 | 0x4 | 0x200 | 0x8000 | 0x80000 | 0x800000, 20);
  CHALLENGE.copy(head, 24);
  head.writeUInt16LE(targetInfo.length, 40);
  head.writeUInt16LE(targetInfo.length, 42);
  head.writeUInt32LE(56 + target.length, 44);
  return `NTLM ${Buffer.concat([head, target, targetInfo]).toString('base64')}`;
}

/** Verifies an NTLMv2 authenticate message for WMS\alice / s3cret. */
function ntlmV2Valid(msg: Buffer): { ok: boolean; user: string; domain: string } {
  const field = (off: number) => msg.subarray(msg.readUInt32LE(off + 4), msg.readUInt32LE(off + 4) + msg.readUInt16LE(off));
  const nt = field(20);
  const domain = field(28).toString('utf16le');
  const user = field(36).toString('utf16le');
  const ntowf = createHmac('md5', md4Digest(Buffer.from('s3cret', 'utf16le'))).update(Buffer.from(user.toUpperCase() + domain, 'utf16le')).digest();
  const proof = createHmac('md5', ntowf).update(Buffer.concat([CHALLENGE, nt.subarray(16)])).digest();
  return { ok: proof.equals(nt.subarray(0, 16)), user, domain };
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    if (req.url?.startsWith('/digest')) {
      const c = parseChallenge(auth.replace(/^Digest /, ''));
      const ha1 = md5(`bob:stock:p4ss`);
      const ok = auth.startsWith('Digest ') && c.uri === req.url && c.response === md5(`${ha1}:n0nce:${c.nc}:${c.cnonce}:auth:${md5(`${req.method}:${c.uri}`)}`) && c.opaque === 'op';
      if (!ok) return res.writeHead(401, { 'www-authenticate': 'Digest realm="stock", qop="auth", nonce="n0nce", opaque="op", algorithm=MD5' }).end('who?');
      return res.end(`digest ok ${c.username}`);
    }
    if (req.url?.startsWith('/ntlm')) {
      ntlmSockets.push(req.socket);
      if (!auth.startsWith('NTLM ')) return res.writeHead(401, { 'www-authenticate': 'NTLM' }).end();
      const msg = Buffer.from(auth.slice(5), 'base64');
      const type = msg.readUInt32LE(8);
      if (type === 1) return res.writeHead(401, { 'www-authenticate': type2() }).end();
      const v = type === 3 ? ntlmV2Valid(msg) : { ok: false, user: '', domain: '' };
      if (!v.ok) return res.writeHead(401).end('bad proof');
      return res.end(`ntlm ok ${v.domain}\\${v.user}`);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await closeAll();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("auth: 'digest' and 'ntlm' in k6/http", () => {
  it('digest: the 401 challenge is answered; wrong credentials end in the 401', async () => {
    const { http: api, vu } = load();
    const res = await api.get(`http://bob:p4ss@${base}/digest/items?x=1`, { auth: 'digest' });
    expect(res.status).toBe(200);
    expect(res.body).toBe('digest ok bob');
    expect(vu.samples.filter((s) => s.metric === 'http_reqs').map((s) => s.tags.status)).toEqual(['401', '200']);
    const bad = await api.get(`http://bob:wrong@${base}/digest`, { auth: 'digest' });
    expect(bad.status).toBe(401);
  });

  it('ntlm: negotiate, challenge, NTLMv2 authenticate on one connection', async () => {
    const { http: api } = load();
    ntlmSockets.length = 0;
    const res = await api.get(`http://WMS%5Calice:s3cret@${base}/ntlm`, { auth: 'ntlm' });
    expect(res.body).toBe('ntlm ok WMS\\alice');
    expect(res.status).toBe(200);
    expect(ntlmSockets).toHaveLength(3);
    expect(new Set(ntlmSockets).size).toBe(1);
    const bad = await api.get(`http://WMS%5Calice:nope@${base}/ntlm`, { auth: 'ntlm' });
    expect(bad.status).toBe(401);
  });

  it('an unknown auth scheme is one clear error', async () => {
    const { http: api } = load();
    await expect(api.get(`http://${base}/`, { auth: 'kerberos' })).rejects.toThrow('params.auth must be "basic", "digest" or "ntlm", got "kerberos"');
  });
});
