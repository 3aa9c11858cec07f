/**
 * Benchmarks that count bytes run the engine as its worker threads do: from an esbuild bundle
 * (engine/build/app-bundle.js), not under tsx. tsx compiles with esbuild's keepNames, which wraps
 * every named closure in a `__name(…)` call: that allocates on every call and gives each such
 * closure a property store (256 B) the engine's own bundle does not have.
 *
 * Called first thing in such a benchmark: in the tsx process it bundles the benchmark (cached in
 * node_modules/.cache/aetos-load/bench/<name>, rebuilt when a source changes), runs the bundle with
 * `nodeFlags` and the same arguments, and exits with its exit code; in the bundled process it
 * returns at once.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createAppBundle } from '../engine/build/app-bundle.js';

const marker = 'AETOS_BENCH_BUNDLED';

export async function runBundled(file: string, nodeFlags: string[]): Promise<void> {
  if (process.env[marker]) return;
  const root = path.resolve(import.meta.dirname, '..');
  const name = path.basename(file, '.ts');
  // one cache folder per benchmark: a bundle is reused while its own inputs are unchanged
  const cacheDir = path.join(root, 'node_modules', '.cache', 'aetos-load', 'bench', name);
  const dir = await createAppBundle({ root, entries: { [name]: file }, cacheDir }).dir();
  const child = spawnSync(process.execPath, [...nodeFlags, path.join(dir, `${name}.js`), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [marker]: '1' },
  });
  process.exit(child.status ?? 1);
}
