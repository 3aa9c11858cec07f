/**
 * engine/build/app-bundle.js: the prebuilt bundle the command and its worker threads start on. It
 * must behave as the sources do (import.meta values of each file), be rebuilt after an edit and
 * only then, and survive two commands building it at once. Built here from a small project in a
 * temporary folder, so the repo's own cache is left alone.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppBundle, describeBuildError } from '../../engine/build/app-bundle.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'aetos-app-bundle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const src = path.join(root, 'src');
const cacheDir = path.join(root, 'cache');
const write = (name: string, text: string, mtimeSec?: number) => {
  const file = path.join(src, name);
  writeFileSync(file, text);
  if (mtimeSec) utimesSync(file, mtimeSec, mtimeSec);
};
const bundle = () => createAppBundle({ root, entries: { main: path.join(src, 'main.ts') }, cacheDir });
const run = (dir: string) => JSON.parse(execFileSync(process.execPath, [path.join(dir, 'main.js')], { encoding: 'utf8' })) as Record<string, string>;

describe('app bundle', () => {
  it('keeps each file its own import.meta values, and loads dynamic imports from their own chunk', async () => {
    rmSync(src, { recursive: true, force: true });
    execFileSync('mkdir', ['-p', src]);
    write('lib.ts', "export const here: string = import.meta.dirname;\nexport const version = 'one';\n");
    write('later.ts', 'export const file: string = import.meta.filename;\n');
    write('main.ts', "import { here, version } from './lib.ts';\nconst { file } = await import('./later.ts');\nconsole.log(JSON.stringify({ here, version, file, url: import.meta.url }));\n");
    const dir = await bundle().dir();
    expect(path.dirname(dir)).toBe(cacheDir);
    expect(run(dir)).toEqual({ here: src, version: 'one', file: path.join(src, 'later.ts'), url: pathToFileURL(path.join(src, 'main.ts')).href });
    expect(readdirSync(dir).some((f) => f.startsWith('later-'))).toBe(true);
  });

  it('is reused while its sources are unchanged, and rebuilt after an edit', async () => {
    const first = await bundle().dir();
    expect(await bundle().dir()).toBe(first);
    write('lib.ts', "export const here: string = import.meta.dirname;\nexport const version = 'two';\n", Date.now() / 1000 + 5);
    // until the rebuild, the last build is still what `last()` names (bin/aetos-load.js starts
    // run's first thread on it while the check runs)
    expect(bundle().last()).toBe(first);
    const second = await bundle().dir();
    expect(second).not.toBe(first);
    expect(bundle().last()).toBe(second);
    expect(run(second).version).toBe('two');
    expect(await bundle().dir()).toBe(second);
  });

  it('two builds at once end in one good bundle', async () => {
    write('lib.ts', "export const here: string = import.meta.dirname;\nexport const version = 'three';\n", Date.now() / 1000 + 10);
    const [a, b] = await Promise.all([bundle().dir(), bundle().dir()]);
    expect(a).toBe(b);
    expect(run(a).version).toBe('three');
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('builds a CommonJS entry alone as <name>.cjs, rebuilt when a source it imports changes; a project .cjs stays outside', async () => {
    const cjsCache = path.join(root, 'cache-cjs');
    const withCjs = () => createAppBundle({ root, entries: { esm: path.join(src, 'esm.ts') }, cjsEntries: { early: path.join(src, 'early.ts') }, cacheDir: cjsCache });
    write('shared.cjs', 'exports.where = __filename;\n');
    write('flavour.ts', "export const flavour = 'four';\n");
    write('early.ts', "import { flavour } from './flavour.ts';\nexport const early = `early ${flavour}`;\n");
    write('esm.ts', "import shared from './shared.cjs';\nconsole.log(JSON.stringify({ where: shared.where }));\n");
    const first = await withCjs().dir();
    const load = createRequire(import.meta.url);
    expect(load(path.join(first, 'early.cjs')).early).toBe('early four');
    // loaded from where it is (an ES bundle cannot inline a file that uses require or __filename)
    expect(JSON.parse(execFileSync(process.execPath, [path.join(first, 'esm.js')], { encoding: 'utf8' })).where).toBe(path.join(src, 'shared.cjs'));
    write('flavour.ts', "export const flavour = 'five';\n", Date.now() / 1000 + 12);
    const second = await withCjs().dir();
    expect(second).not.toBe(first);
    expect(load(path.join(second, 'early.cjs')).early).toBe('early five');
  });

  it('a source that does not compile rejects with its file and line', async () => {
    write('lib.ts', 'export const = ;\n', Date.now() / 1000 + 15);
    const err = await bundle()
      .dir()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeDefined();
    expect(describeBuildError(err)).toMatch(/src\/lib\.ts:1:\d+: error: /);
  });
});
