#!/usr/bin/env node
// The `aetos-load` command. The project is written in TypeScript and runs from a bundle of its
// sources that esbuild builds on first use and rebuilds when a source changes
// (engine/build/app-bundle.js), so no compile step stands between a checkout and a run, and start-up
// does not pay for transpiling. Where the bundle cannot be written (a read-only node_modules), the
// sources run through tsx's loader instead, slower to start.
//
// CommonJS (bin/package.json), unlike the rest of the project: `run` starts its first worker thread
// (engine/runner/prewarm.ts) before Node's ES module loader has started, ~10 ms sooner on a 2-core
// host, and the thread's own start-up overlaps the main thread's loading the command.
'use strict';
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { appCacheDir, lastBuildIn } = require('../engine/build/last-build.cjs');

/**
 * Starts `run`'s first thread on a bundle folder (its prewarm.cjs); undefined when that fails (a
 * half-removed cache folder): the run then starts its threads itself, a little later.
 * @param {string} dir
 * @returns {{ dir: string, prewarm: { dropPrewarmed(): void } } | undefined}
 */
function prewarmOn(dir) {
  try {
    const prewarm = require(path.join(dir, 'prewarm.cjs'));
    prewarm.prewarmWorker(dir);
    return { dir, prewarm };
  } catch {
    return undefined;
  }
}

// The thread starts on the last build before that build is checked against the sources (~10 ms); a
// check that finds the build out of date stops it unused.
const last = process.argv[2] === 'run' ? lastBuildIn(appCacheDir) : undefined;
const early = last === undefined ? undefined : prewarmOn(last);

async function main() {
  const { appBundleDir, describeBuildError } = await import('../engine/build/app-bundle.js');
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
    if (process.argv[2] === 'run' && early?.dir !== dir) prewarmOn(dir);
    await import(pathToFileURL(path.join(dir, 'index.js')).href);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    await import('../cli/index.ts');
  }
}

main().catch((err) => {
  // what an ES module's top-level await would have done with it: print it, exit 1
  process.exitCode = 1;
  throw err;
});
