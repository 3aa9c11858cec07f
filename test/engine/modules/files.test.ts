/**
 * k6/experimental/fs, k6/experimental/csv and k6/secrets, run as real scripts through the loader
 * and a real VU, on files written to a temporary folder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness } from '../vu/harness.ts';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'k6-files-'));
  writeFileSync(path.join(dir, 'bytes.bin'), Buffer.from('0123456789'));
  writeFileSync(path.join(dir, 'items.csv'), 'sku,qty\nA1,3\n"B,2",5\nC3,7\n');
  writeFileSync(path.join(dir, 'items.tsv'), 'A1\t3\nB2\t5\n');
  writeFileSync(path.join(dir, 'secrets.txt'), '# test secrets\napi_token=s3cr3t-value\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, body);
  return file;
}

describe('k6/experimental/fs', () => {
  it("k6's documented named import { open } beside the global open() of an imported module", async () => {
    writeFileSync(path.join(dir, 'words.txt'), 'hello world');
    // the helper's free `open` is the init-context global; the entry's `open` is the fs import
    script('global-open.js', `export const text = open('./words.txt');\nexport const bytes = open('./bytes.bin', 'b');`);
    const h = await harness(
      script(
        'fs-named.js',
        `import { open, SeekMode } from 'k6/experimental/fs';
import { text, bytes } from './global-open.js';
const file = await open('words.txt');
export default async function () {
  const info = await file.stat();
  const buf = new Uint8Array(5);
  const at = await file.seek(6, SeekMode.Start);
  const n = await file.read(buf);
  console.log(JSON.stringify([text, bytes.byteLength, info.name, info.size, at, n, String.fromCharCode(...buf)]));
}`,
      ),
    );
    const vu = await h.vu(1);
    expect(await h.iterate(vu, 1)).toEqual(['completed']);
    expect(JSON.parse(h.rec.console[0] as string)).toEqual(['hello world', 10, 'words.txt', 11, 6, 5, 'world']);
  });

  it('top-level await in an imported module (not only the entry script) runs before the importer', async () => {
    script('tla-lib.js', `import { open } from 'k6/experimental/fs';\nexport const file = await open('bytes.bin');\nexport const size = (await file.stat()).size;\nexport const later = await new Promise((r) => setTimeout(() => r('timer'), 5));`);
    const h = await harness(
      script(
        'tla-main.js',
        `import { file, size, later } from './tla-lib.js';
const first = new Uint8Array(3);
await file.read(first);
export default async function () {
  console.log(JSON.stringify([size, later, String.fromCharCode(...first)]));
}`,
      ),
    );
    const vu = await h.vu(1);
    expect(await h.iterate(vu, 1)).toEqual(['completed']);
    expect(JSON.parse(h.rec.console[0] as string)).toEqual([10, 'timer', '012']);
  });

  it('open in init, stat, read into a buffer until null, seek with SeekMode', async () => {
    const h = await harness(
      script(
        'fs.js',
        `import fs from 'k6/experimental/fs';
const { SeekMode } = fs;
const file = await fs.open('bytes.bin');
export default async function () {
  const out = [];
  const info = await file.stat();
  out.push(info.name + ':' + info.size);
  await file.seek(0, SeekMode.Start);
  const buf = new Uint8Array(4);
  let n;
  while ((n = await file.read(buf)) !== null) out.push(String.fromCharCode(...buf.subarray(0, n)));
  out.push(await file.seek(-3, SeekMode.End));
  await file.read(buf);
  out.push(String.fromCharCode(...buf.subarray(0, 3)));
  out.push(await file.seek(-2, SeekMode.Current));
  console.log(JSON.stringify(out));
}
export async function late() { await fs.open('bytes.bin'); }`,
      ),
    );
    const vu = await h.vu(1);
    expect(await h.iterate(vu, 1)).toEqual(['completed']);
    expect(JSON.parse(h.rec.console[0] as string)).toEqual(['bytes.bin:10', '0123', '4567', '89', 7, '789', 8]);
    expect(await h.iterate(vu, 1, { exec: 'late' })).toEqual(['completed']); // thrown, so completed (k6; issue 13)
    expect(h.rec.errors.join('\n')).toContain('fs.open() can be used only in the init context');
  });

  it('a missing file is one clear error at init', async () => {
    await expect(harness(script('fs-missing.js', `import * as fs from 'k6/experimental/fs';\nconst f = await fs.open('nope.bin');\nexport default function () {}`)).then((h) => h.vu(1))).rejects.toThrow(
      /fs\.open: no such file: .*nope\.bin/,
    );
  });
});

describe('k6/experimental/csv', () => {
  it('parse (arrays, objects, skipFirstLine, fromLine/toLine, delimiter) and Parser.next()', async () => {
    const h = await harness(
      script(
        'csv.js',
        `import fs from 'k6/experimental/fs';
import csv from 'k6/experimental/csv';
const file = await fs.open('items.csv');
const tsv = await fs.open('items.tsv');
const rows = await csv.parse(file, { skipFirstLine: true });
const objects = await csv.parse(file, { asObjects: true });
const middle = await csv.parse(file, { fromLine: 2, toLine: 2 });
const tabs = await csv.parse(tsv, { delimiter: '\\t' });
export default async function () {
  const parser = new csv.Parser(file, { skipFirstLine: true });
  const seen = [];
  let r = await parser.next();
  while (!r.done) { seen.push(r.value[0]); r = await parser.next(); }
  console.log(JSON.stringify({ rows, objects, middle, tabs, seen, frozen: Object.isFrozen(rows) }));
}`,
      ),
    );
    const vu = await h.vu(1);
    expect(await h.iterate(vu, 1)).toEqual(['completed']);
    expect(JSON.parse(h.rec.console[0] as string)).toEqual({
      rows: [['A1', '3'], ['B,2', '5'], ['C3', '7']],
      objects: [{ sku: 'A1', qty: '3' }, { sku: 'B,2', qty: '5' }, { sku: 'C3', qty: '7' }],
      middle: [['B,2', '5']],
      tabs: [['A1', '3'], ['B2', '5']],
      seen: ['A1', 'B,2', 'C3'],
      frozen: true,
    });
  });
});

describe('k6/secrets', () => {
  it('file (the default) and env sources; values are redacted from the log; unknown names are clear errors', async () => {
    process.env.AETOS_TEST_SECRET_db_pass = 'env-pass-123';
    try {
      const h = await harness(
        script(
          'secrets.js',
          `import secrets from 'k6/secrets';
export default async function () {
  const token = await secrets.get('api_token');
  const db = await secrets.source('vault').get('db_pass');
  console.log('token=' + token + ' db=' + db + ' len=' + token.length);
  try { await secrets.get('nope'); } catch (e) { console.log(e.message); }
}`,
        ),
      );
      const vu = await h.vu(1, {}, { secretSource: ['file=secrets.txt,default', 'env=name=vault,prefix=AETOS_TEST_SECRET_'] });
      expect(await h.iterate(vu, 1)).toEqual(['completed']);
      expect(h.rec.console[0]).toBe('token=***SECRET_REDACTED*** db=***SECRET_REDACTED*** len=12');
      expect(h.rec.console[1]).toBe('secret "nope" not found in secret source "file"');
      expect(h.rec.lines.join('\n')).not.toContain('s3cr3t-value');
    } finally {
      delete process.env.AETOS_TEST_SECRET_db_pass;
    }
  });
});
