/**
 * The transform cache (engine/loader/transform-cache.ts): a second load of the same script is read
 * back, not transformed again; a damaged entry or a syntax error never comes from the cache.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptSyntaxError } from '../../../engine/loader/syntax-error.ts';
import { transformCacheFile, transformCached } from '../../../engine/loader/transform-cache.ts';
import { transformScript } from '../../../engine/loader/transform.ts';

// a script of its own per test run, so the entries are this test's (removed afterwards)
const unique = `${process.pid}-${Date.now()}-${Math.random()}`;
const made: string[] = [];
afterEach(() => {
  for (const f of made.splice(0)) rmSync(f, { force: true });
});

function script(body: string): { code: string; file: string } {
  const code = `// ${unique}\nimport http from 'k6/http';\nexport default function () { ${body} }\n`;
  const file = transformCacheFile(code, { recordThrows: true });
  if (file === undefined) throw new Error('no cache file for a script in the repo');
  made.push(file);
  return { code, file };
}

describe('transform cache', () => {
  it('stores the transform once and answers the same script from it', async () => {
    const { code, file } = script("http.get('http://127.0.0.1:1/');");
    expect(existsSync(file)).toBe(false);
    const first = await transformCached(code, { recordThrows: true });
    expect(first).toEqual(transformScript(code, { recordThrows: true }));
    const entry = JSON.parse(readFileSync(file, 'utf8'));
    expect(entry.result).toEqual(first);
    // what is in the file is what comes back: the second call reads it
    writeFileSync(file, JSON.stringify({ ...entry, result: { ...first, code: '(async function marker() {})' } }));
    expect((await transformCached(code, { recordThrows: true })).code).toBe('(async function marker() {})');
  });

  it('an entry made from another input (its hash the same) is not used, and is replaced', async () => {
    const { code, file } = script('let y = 2;');
    const real = transformScript(code, { recordThrows: true });
    await transformCached(code, { recordThrows: true });
    const entry = JSON.parse(readFileSync(file, 'utf8'));
    // the same file name, as a colliding script would have: its input differs by one character
    writeFileSync(file, JSON.stringify({ input: entry.input.replace('let y = 2;', 'let y = 3;'), result: { ...real, code: '(async function other() {})' } }));
    expect(await transformCached(code, { recordThrows: true })).toEqual(real);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(entry);
  });

  it('the options are part of the key', () => {
    const { code, file } = script('');
    expect(transformCacheFile(code, { recordThrows: false })).not.toBe(file);
  });

  it('a damaged entry is transformed again and rewritten', async () => {
    const { code, file } = script('let x = 1;');
    writeFileSync(file, '{"code": "(async fun');
    const r = await transformCached(code, { recordThrows: true });
    expect(r).toEqual(transformScript(code, { recordThrows: true }));
    expect(JSON.parse(readFileSync(file, 'utf8')).result).toEqual(r);
  });

  it('a syntax error is thrown every time and never stored', async () => {
    const { code, file } = script('let = ;');
    await expect(transformCached(code, { recordThrows: true })).rejects.toBeInstanceOf(ScriptSyntaxError);
    expect(existsSync(file)).toBe(false);
  });
});
