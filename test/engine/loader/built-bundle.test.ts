/**
 * A k6 bundle built to disk (`npm run build` → build/*.js) runs as is: its inline source map's
 * sources are relative to the bundle's folder, and errors still name the original .ts line.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleToDir } from '../../../engine/build/bundle.ts';
import { fixture, harness } from '../vu/harness.ts';

let dir: string;
let bundle: string;
beforeAll(async () => {
  // beside the sources (like build/ beside scenarios/): map sources are short relative paths
  // ("../ts/lib/fails.ts") that resolve wrongly against any folder but the bundle's own
  dir = fixture(`.built-${process.pid}`);
  [bundle] = (await bundleToDir([fixture('ts/lib-error.ts')], dir)) as [string];
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a bundle read from disk', () => {
  it('maps runtime errors to the original .ts files', async () => {
    const h = await harness(bundle);
    expect(await h.iterate(await h.vu(1), 1)).toEqual(['completed']);
    const [err] = h.rec.errors;
    expect(err).toMatch(/\(test\/fixtures\/scripts\/ts\/lib\/fails\.ts:7:\d+\)/);
    expect(err).toMatch(/\(test\/fixtures\/scripts\/ts\/lib-error\.ts:6:\d+\)/);
  });
});
