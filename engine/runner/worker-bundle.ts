/**
 * The code every worker thread starts on: worker-main.ts and the engine it imports, bundled once by
 * esbuild into ESM files cached in `node_modules/.cache/aetos-load/`. A worker thread starts with
 * no loader hooks, and registering tsx in each thread then transpiling ~100 engine files there cost
 * 300-600 ms per thread; the prebuilt bundle loads in ~50 ms (bench/worker-start.ts).
 *
 * The cache key is a hash of every engine source file's path, size and mtime, so an edited engine
 * is rebuilt on the next run. The file is written under a temporary name and renamed, so two runs
 * building at once never load half a file. Packages stay external (resolved from the repo's
 * node_modules, which encloses the cache folder).
 *
 * One rule for engine code that runs in worker threads: do not find files through
 * `import.meta.url`/`import.meta.dirname` — in the bundle they name the cache folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const engineDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = path.dirname(engineDir);
const entry = fileURLToPath(new URL('./worker-main.ts', import.meta.url));

/** Path, size and mtime of every .ts file under engine/, sorted: what the bundle is built from. */
function sourceFingerprint(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) {
        const s = statSync(p);
        hash.update(`${p}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  walk(engineDir);
  hash.update(process.version);
  return hash.digest('hex').slice(0, 16);
}

function cacheDir(): string {
  return path.join(repoRoot, 'node_modules', '.cache', 'aetos-load');
}

let built: Promise<string> | undefined;

/** The bundled worker entry (built on first use in this process, or reused from the cache). */
export function workerEntryFile(): Promise<string> {
  built ??= build();
  return built;
}

async function build(): Promise<string> {
  const dir = path.join(cacheDir(), `worker-${sourceFingerprint()}`);
  const file = path.join(dir, 'worker-main.js');
  if (existsSync(file)) return file;
  try {
    mkdirSync(cacheDir(), { recursive: true });
  } catch (err) {
    // The bundle must live beside node_modules (its package imports resolve from there): say so.
    throw new Error(`cannot write the worker-thread bundle cache ${cacheDir()}: ${(err as Error).message} (make node_modules/.cache writable for this user)`);
  }
  const tmp = `${dir}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  // Split at dynamic imports: the k6 modules (k6/http pulls in undici, ~150 ms to load) are loaded
  // only by workers whose script imports them, as they are when the engine runs from source.
  // Loaded only on a cache miss: the coordinator's start-up does not pay for it.
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: { 'worker-main': entry },
    outdir: tmp,
    outExtension: { '.js': '.js' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'silent',
  });
  // ESM by its folder's package.json, so the chunks' `.js` names load as modules.
  writeFileSync(path.join(tmp, 'package.json'), '{"type":"module"}\n');
  try {
    renameSync(tmp, dir);
  } catch (err) {
    // Another run built the same sources at the same moment: use theirs.
    if (!existsSync(file)) throw err;
    rmSync(tmp, { recursive: true, force: true });
  }
  return file;
}
