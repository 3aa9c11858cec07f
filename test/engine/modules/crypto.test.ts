/** k6/crypto against published vectors (FIPS 180, RFC 1320/1321, RFC 4231, RIPEMD-160 paper). */
import { describe, expect, it } from 'vitest';
import { cryptoModule, md4Digest } from '../../../engine/modules/crypto.ts';
import { harness } from '../vu/harness.ts';

const c = cryptoModule(null as never) as Record<string, (...a: unknown[]) => any>;

describe('k6/crypto', () => {
  it('hash functions: "abc" vectors', () => {
    expect(c.md4?.('abc', 'hex')).toBe('a448017aaf21d8525fc10ae87aa6729d');
    expect(c.md5?.('abc', 'hex')).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(c.sha1?.('abc', 'hex')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(c.sha256?.('abc', 'hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(c.sha384?.('abc', 'hex')).toBe('cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7');
    expect(c.sha512?.('abc', 'hex')).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
    expect(c.sha512_224?.('abc', 'hex')).toBe('4634270f707b6a54daae7530460842e20e37ed265ceee9a43e8924aa');
    expect(c.sha512_256?.('abc', 'hex')).toBe('53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23');
    expect(c.ripemd160?.('abc', 'hex')).toBe('8eb208f7e05d987a9b044a8e98c6b087f15a0bfc');
  });

  it('MD4 (RFC 1320) computed in JS matches every RFC vector', () => {
    const v: [string, string][] = [
      ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
      ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
      ['message digest', 'd9130a8164549fe818874806e1c7014b'],
      ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
      ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', 'e33b4ddc9c38f2199c3e7b164fcc0536'],
    ];
    for (const [m, d] of v) expect(md4Digest(Buffer.from(m)).toString('hex')).toBe(d);
  });

  it('output encodings: hex, base64, base64url, base64rawurl, binary', () => {
    expect(c.md5?.('', 'base64')).toBe('1B2M2Y8AsgTpgAmY7PhCfg==');
    expect(c.md5?.('', 'base64url')).toBe('1B2M2Y8AsgTpgAmY7PhCfg==');
    expect(c.sha1?.('abc', 'base64rawurl')).toBe('qZk-NkcGgWq6PiVxeFDCbJzQ2J0');
    const bin = c.md5?.('', 'binary');
    expect(bin).toBeInstanceOf(ArrayBuffer); // k6: 'binary' is an ArrayBuffer
    expect(Buffer.from(bin as ArrayBuffer).toString('hex')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(() => c.md5?.('', 'latin1')).toThrow(/unknown output encoding "latin1"/);
  });

  it('hmac (RFC 4231 case 2) and createHMAC / createHash with several updates', () => {
    const expected = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    expect(c.hmac?.('sha256', 'Jefe', 'what do ya want for nothing?', 'hex')).toBe(expected);
    expect(c.createHMAC?.('sha256', 'Jefe').update('what do ya ').update('want for nothing?').digest('hex')).toBe(expected);
    expect(c.createHash?.('sha1').update('a').update('bc').digest('hex')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(c.createHash?.('md4').update('ab').update('c').digest('hex')).toBe('a448017aaf21d8525fc10ae87aa6729d');
    // digest() again returns the same sum; update() after it goes on from all input so far
    const h = c.createHash?.('sha256').update('ab');
    const first = h.digest('hex');
    expect(h.digest('hex')).toBe(first);
    expect(h.update('c').digest('hex')).toBe(c.sha256?.('abc', 'hex'));
    const m = c.createHMAC?.('sha256', 'Jefe').update('what do ya want for nothing?');
    expect(m.digest('hex')).toBe(expected);
    expect(m.digest('hex')).toBe(expected);
    const m4 = c.createHash?.('md4').update('abc');
    expect(m4.digest('hex')).toBe(m4.digest('hex'));
    expect(() => c.createHash?.('sha3')).toThrow('createHash: unsupported algorithm "sha3"');
  });

  it('ArrayBuffer input and randomBytes', () => {
    const buf = new Uint8Array([104, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100, 33]).buffer;
    expect(c.sha256?.(buf, 'hex')).toBe(c.sha256?.('hello world!', 'hex'));
    const r = c.randomBytes?.(16) as ArrayBuffer;
    expect(r.byteLength).toBe(16);
    expect(Buffer.from(r).equals(Buffer.from(c.randomBytes?.(16) as ArrayBuffer))).toBe(false);
  });

  it('in a script: default and named imports, global WebCrypto', async () => {
    const h = await harness('modules/encoding-crypto.js');
    await h.iterate(await h.vu(1), 1);
    expect(h.rec.errors).toEqual([]);
    expect(JSON.parse(h.rec.console[0] as string)).toEqual({
      std: 'aGVsbG8/Pg==',
      rawurl: 'aGVsbG8_Pg',
      dec: 'hello?>',
      sha256: '7509e5bda0c762d2bac7f90d758b5b2263fa01ccbc542ab5e3df163be08e6ca9',
      hmac: 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
      web: 'number',
      webcrypto: 'function',
    });
  });
});
