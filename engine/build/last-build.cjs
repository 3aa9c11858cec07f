/**
 * Where the engine bundle's builds live and which one was built last, readable without Node's ES
 * module loader. bin/aetos-load.js is CommonJS so that `run` can start its first worker thread
 * before that loader starts: loading an ES entry costs a 2-core host ~10 ms of a ~300 ms start
 * (bench/worker-start.ts). app-bundle.js writes the record read here and builds into the folder.
 */
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');

/** This project's bundle cache (node_modules encloses it, so the bundle's packages resolve). */
const appCacheDir = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'aetos-load');

/**
 * The file that names the last build of the bundle cached in `cacheDir`.
 * @param {string} cacheDir
 * @returns {string}
 */
function currentFileIn(cacheDir) {
  return path.join(cacheDir, 'app-current.json');
}

/**
 * The folder of the last build in `cacheDir`, not checked against the sources (undefined before
 * the first build): for work that may start before the check and is undone when the check disagrees.
 * @param {string} cacheDir
 * @returns {string | undefined}
 */
function lastBuildIn(cacheDir) {
  try {
    const dir = path.join(cacheDir, JSON.parse(readFileSync(currentFileIn(cacheDir), 'utf8')).dir);
    return existsSync(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

module.exports = { appCacheDir, currentFileIn, lastBuildIn };
