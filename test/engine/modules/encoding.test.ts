/** k6/encoding against known vectors (RFC 4648 §10) and k6's four variants. */
import { describe, expect, it } from 'vitest';
import { b64decode, b64encode } from '../../../engine/modules/encoding.ts';

describe('k6/encoding', () => {
  it('RFC 4648 test vectors (std)', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, enc] of vectors) {
      expect(b64encode(plain)).toBe(enc);
      expect(b64encode(plain, 'std')).toBe(enc);
      expect(b64decode(enc, 'std', 's')).toBe(plain);
    }
  });

  it('rawstd, url and rawurl variants', () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xbf, 0x61]).buffer; // "+/+/" territory
    expect(b64encode(bytes, 'std')).toBe('+/+/YQ==');
    expect(b64encode(bytes, 'rawstd')).toBe('+/+/YQ');
    expect(b64encode(bytes, 'url')).toBe('-_-_YQ==');
    expect(b64encode(bytes, 'rawurl')).toBe('-_-_YQ');
    for (const [v, enc] of [['std', '+/+/YQ=='], ['rawstd', '+/+/YQ'], ['url', '-_-_YQ=='], ['rawurl', '-_-_YQ']] as const) {
      expect([...new Uint8Array(b64decode(enc, v) as ArrayBuffer)]).toEqual([0xfb, 0xff, 0xbf, 0x61]);
    }
  });

  it('strings are UTF-8; decode returns an ArrayBuffer unless format is "s"', () => {
    expect(b64encode('héllo')).toBe('aMOpbGxv');
    const buf = b64decode('aMOpbGxv');
    expect(buf).toBeInstanceOf(ArrayBuffer);
    expect((buf as ArrayBuffer).byteLength).toBe(6);
    expect(b64decode('aMOpbGxv', 'std', 's')).toBe('héllo');
  });

  it('bad input is a clear error; a null or unknown encoding means std, as in k6', () => {
    expect(() => b64decode('-_-_', 'std')).toThrow('b64decode: input is not valid std base64');
    expect(b64decode('aMOpbGxv', null, 's')).toBe('héllo');
    expect(b64decode('aMOpbGxv', 'weird', 's')).toBe('héllo');
    expect(b64encode('héllo', null)).toBe('aMOpbGxv');
    expect(b64encode('x', 'weird')).toBe('eA==');
  });
});
