#!/usr/bin/env node
// The `aetos-load` command. The project is written in TypeScript and runs from a bundle of its
// sources that esbuild builds on first use and rebuilds when a source changes
// (engine/build/app-bundle.js), so no compile step stands between a checkout and a run, and start-up
// does not pay for transpiling. Where the bundle cannot be written (a read-only node_modules), the
// sources run through tsx's loader instead, slower to start.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { appBundleDir, describeBuildError, lastAppBundleDir } from '../engine/build/app-bundle.js';

// `run` starts its first worker thread before the command's code loads (engine/runner/prewarm.ts),
// on the last build, before that build is checked against the sources (~10 ms): the thread's own
// start-up then overlaps the check. A check that finds the build out of date stops it unused.
let early;
if (process.argv[2] === 'run') {
  const last = lastAppBundleDir();
  if (last) {
    try {
      const prewarm = await import(pathToFileURL(path.join(last, 'prewarm.js')).href);
      prewarm.prewarmWorker(last);
      early = { dir: last, prewarm };
    } catch {
      // a half-removed cache folder: the checked bundle's thread starts below
    }
  }
}

let dir;
try {
  dir = await appBundleDir();
} catch (err) {
  if (err?.errors?.length) {
    process.stderr.write(`aetos-load: the project's sources do not compile:\n${describeBuildError(err)}\n`);
    process.exit(1);
  }
  process.stderr.write(`aetos-load: running from source (slower start): cannot write the bundle cache: ${err?.message ?? err}\n`);
}
if (early && early.dir !== dir) early.prewarm.dropPrewarmed();
if (dir) {
  if (process.argv[2] === 'run' && early?.dir !== dir) (await import(pathToFileURL(path.join(dir, 'prewarm.js')).href)).prewarmWorker();
  await import(pathToFileURL(path.join(dir, 'index.js')).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/index.ts');
}
