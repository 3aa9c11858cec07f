/**
 * `npm run build` / `aetos-load build [scenario.ts …]`: bundles every `scenarios/*.ts` (or the
 * given files) into `build/<name>.js`, which real k6 runs as it is (DESIGN D2).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { BundleError, bundleToDir } from '../engine/build/bundle.ts';

export async function listScenarios(dir = 'scenarios'): Promise<string[]> {
  const names = await readdir(dir);
  return names.filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts')).sort().map((n) => path.join(dir, n));
}

export async function main(argv: string[]): Promise<number> {
  const entries = argv.length > 0 ? argv : await listScenarios();
  try {
    const written = await bundleToDir(entries, 'build');
    for (const file of written) process.stdout.write(`built ${file}\n`);
    return 0;
  } catch (err) {
    if (err instanceof BundleError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

