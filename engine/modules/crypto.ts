/**
 * `k6/crypto` on node:crypto: md4, md5, sha1, sha256, sha384, sha512, sha512_224, sha512_256,
 * ripemd160, hmac, createHash, createHMAC, randomBytes. Output encodings as k6 documents: 'hex',
 * 'base64', 'base64url' (padded), 'base64rawurl' (unpadded), 'binary' (an ArrayBuffer). A hasher's
 * digest() may be called again (k6's Go hashes do not reset on Sum): it returns the sum of all input so far.
 * MD4 is computed here when the platform's OpenSSL no longer provides it (OpenSSL 3 moved it to
 * the legacy provider). Stateless, so one instance is shared by every VU.
 * The WebCrypto API is the realm's global `crypto` (Node's webcrypto), as k6 exposes it globally.
 */
import nodeCrypto from 'node:crypto';
import type { ModuleFactory } from '../types.ts';
import { bytesOf } from './encoding.ts';
import { moduleExports } from './module-exports.ts';

const algorithms: Record<string, string> = {
  md4: 'md4',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  'sha512-224': 'sha512-224',
  sha512_256: 'sha512-256',
  'sha512-256': 'sha512-256',
  ripemd160: 'ripemd160',
};

const nativeMd4 = (() => {
  try {
    nodeCrypto.createHash('md4');
    return true;
  } catch {
    return false;
  }
})();

/** RFC 1320 MD4, for platforms whose OpenSSL lacks it. */
export function md4Digest(data: Buffer): Buffer {
  const bitLen = data.length * 8;
  const padLen = ((data.length + 8) >> 6) * 64 + 64;
  const msg = Buffer.alloc(padLen);
  data.copy(msg);
  msg[data.length] = 0x80;
  msg.writeUInt32LE(bitLen >>> 0, padLen - 8);
  msg.writeUInt32LE(Math.floor(bitLen / 0x100000000), padLen - 4);
  let a = 0x67452301, b = 0xefcdab89, c = 0x98badcfe, d = 0x10325476;
  const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));
  const F = (x: number, y: number, z: number) => (x & y) | (~x & z);
  const G = (x: number, y: number, z: number) => (x & y) | (x & z) | (y & z);
  const H = (x: number, y: number, z: number) => x ^ y ^ z;
  const X = new Array<number>(16);
  for (let off = 0; off < padLen; off += 64) {
    for (let i = 0; i < 16; i++) X[i] = msg.readUInt32LE(off + i * 4);
    const [aa, bb, cc, dd] = [a, b, c, d];
    const r1 = [3, 7, 11, 19];
    for (let i = 0; i < 16; i++) {
      const t = (a + F(b, c, d) + (X[i] as number)) | 0;
      [a, b, c, d] = [d, rotl(t, r1[i % 4] as number), b, c];
    }
    const r2 = [3, 5, 9, 13];
    for (let i = 0; i < 16; i++) {
      const k = (i % 4) * 4 + (i >> 2);
      const t = (a + G(b, c, d) + (X[k] as number) + 0x5a827999) | 0;
      [a, b, c, d] = [d, rotl(t, r2[i % 4] as number), b, c];
    }
    const order = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];
    const r3 = [3, 9, 11, 15];
    for (let i = 0; i < 16; i++) {
      const t = (a + H(b, c, d) + (X[order[i] as number] as number) + 0x6ed9eba1) | 0;
      [a, b, c, d] = [d, rotl(t, r3[i % 4] as number), b, c];
    }
    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }
  const out = Buffer.alloc(16);
  [a, b, c, d].forEach((v, i) => out.writeInt32LE(v, i * 4));
  return out;
}

function algorithmOf(name: unknown, fn: string): string {
  const alg = algorithms[String(name).toLowerCase()];
  if (!alg) throw new TypeError(`${fn}: unsupported algorithm "${String(name)}"`);
  return alg;
}

export function encodeDigest(digest: Buffer, encoding: unknown): string | ArrayBuffer {
  switch (encoding) {
    case 'hex':
      return digest.toString('hex');
    case 'base64':
      return digest.toString('base64');
    case 'base64url': {
      const u = digest.toString('base64url');
      return u + '='.repeat((4 - (u.length % 4)) % 4);
    }
    case 'base64rawurl':
      return digest.toString('base64url');
    case 'binary':
      return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength) as ArrayBuffer;
    default:
      throw new TypeError(`unknown output encoding "${String(encoding)}" (hex, base64, base64url, base64rawurl, binary)`);
  }
}

/** A k6 Hasher: update(input) any number of times, digest(encoding) any number of times. */
class Hasher {
  /** Input so far: digest() hashes it afresh, so it can be called again (Node's Hash/Hmac finalise once). */
  private chunks: Buffer[] = [];
  constructor(
    private readonly alg: string,
    private readonly key?: Buffer,
  ) {
    if (alg === 'md4' && !nativeMd4 && key) throw new TypeError('hmac with md4 is not available on this platform');
  }
  update(input: unknown): Hasher {
    this.chunks.push(bytesOf(input, 'update'));
    return this;
  }
  digest(encoding: unknown): string | ArrayBuffer {
    if (this.alg === 'md4' && !nativeMd4) return encodeDigest(md4Digest(Buffer.concat(this.chunks)), encoding);
    const h = this.key ? nodeCrypto.createHmac(this.alg, this.key) : nodeCrypto.createHash(this.alg);
    for (const c of this.chunks) h.update(c);
    return encodeDigest(h.digest(), encoding);
  }
}

function hashWith(alg: string) {
  return (input: unknown, encoding: unknown) => new Hasher(alg).update(input).digest(encoding);
}

const mod = {
  md4: hashWith('md4'),
  md5: hashWith('md5'),
  sha1: hashWith('sha1'),
  sha256: hashWith('sha256'),
  sha384: hashWith('sha384'),
  sha512: hashWith('sha512'),
  sha512_224: hashWith('sha512-224'),
  sha512_256: hashWith('sha512-256'),
  ripemd160: hashWith('ripemd160'),
  createHash: (alg: unknown) => new Hasher(algorithmOf(alg, 'createHash')),
  createHMAC: (alg: unknown, secret: unknown) => new Hasher(algorithmOf(alg, 'createHMAC'), bytesOf(secret, 'createHMAC')),
  hmac: (alg: unknown, secret: unknown, data: unknown, encoding: unknown) =>
    new Hasher(algorithmOf(alg, 'hmac'), bytesOf(secret, 'hmac')).update(data).digest(encoding),
  randomBytes: (n: unknown): ArrayBuffer => {
    const size = Number(n);
    if (!Number.isInteger(size) || size < 0) throw new TypeError('randomBytes: size must be a non-negative integer');
    const b = nodeCrypto.randomBytes(size);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  },
};

export const cryptoModule: ModuleFactory = () => moduleExports(mod);
