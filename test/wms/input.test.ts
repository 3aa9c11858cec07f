/**
 * wms/security/input.ts's findControlChar on its own: the path it reports for a control character
 * in a value or a key (each control character of a key shown as '?'), a non-finite number, and
 * nothing for clean input. (test/wms/hardening.test.ts checks the 400 a real request gets.)
 */
import { describe, expect, it } from 'vitest';
import { findControlChar } from '../../wms/security/input.ts';

describe('findControlChar', () => {
  it('finds nothing in clean values, keys and finite numbers', () => {
    expect(findControlChar({ sku: 'SKU-1', qty: 3, tags: ['a', 'b'], nested: { note: 'tab-free' } }, 'body')).toBeUndefined();
    expect(findControlChar(undefined, 'query')).toBeUndefined();
  });

  it('reports the dotted path of a value holding a control character, and of a non-finite number', () => {
    expect(findControlChar({ items: [{ sku: 'ok' }, { sku: 'a\u0000b' }] }, 'body')).toBe('body.items.1.sku');
    expect(findControlChar({ search: 'a\u001bb' }, 'querystring')).toBe('querystring.search');
    expect(findControlChar({ del: 'x\u007f' }, 'body')).toBe('body.del');
    expect(findControlChar({ page: Number.POSITIVE_INFINITY }, 'querystring')).toBe('querystring.page');
  });

  it('reports a key holding control characters with each of them shown as ?', () => {
    expect(findControlChar({ outer: { 'a\u0000b\u001fc': 1 } }, 'body')).toBe('body.outer.a?b?c');
    // twice in a row: the global pattern used for the replacement keeps no state between calls
    expect(findControlChar({ 'k\u0001': 1 }, 'body')).toBe('body.k?');
    expect(findControlChar({ 'k\u0001': 1 }, 'body')).toBe('body.k?');
  });
});
