/**
 * `npm run build` / `aetos-load build [scenario.ts …]`: bundles every `scenarios/*.ts` (or the
 * given files) into `build/<name>.js`, which real k6 runs as it is (DESIGN D2).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { BundleError, bundleToDir } from '../engine/build/bundle.ts';
import { cachedFetcher, remoteSettings } from '../engine/build/remote-modules.ts';

export async function listScenarios(dir = 'scenarios'): Promise<string[]> {
  const names = await readdir(dir);
  return names.filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts')).sort().map((n) => path.join(dir, n));
}

export async function main(argv: string[]): Promise<number> {
  // --no-cache: fetch modules imported by URL again (engine/build/remote-modules.ts)
  const refresh = argv.includes('--no-cache');
  const files = argv.filter((a) => a !== '--no-cache');
  const entries = files.length > 0 ? files : await listScenarios();
  try {
    const remote = cachedFetcher(remoteSettings(process.env, process.cwd(), { refresh: refresh || undefined, warn: (m) => process.stderr.write(`warning: ${m}\n`) }));
    const written = await bundleToDir(entries, 'build', { remote });
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

