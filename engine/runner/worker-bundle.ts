/**
 * The code every worker thread starts on: worker-main.ts and the engine it imports, bundled once by
 * esbuild into one ESM file cached in `node_modules/.cache/aetos-load/`. A worker thread starts with
 * no loader hooks, and registering tsx in each thread then transpiling ~100 engine files there cost
 * 300-600 ms per thread; the prebuilt bundle loads in ~50 ms (bench/worker-start.ts).
 *
 * The cache key is a hash of every engine source file's path, size and mtime, so an edited engine
 * is rebuilt on the next run. The file is written under a temporary name and renamed, so two runs
 * building at once never load half a file. Packages stay external (resolved from the repo's
 * node_modules, which encloses the cache folder).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

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
  const dir = cacheDir();
  const file = path.join(dir, `worker-${sourceFingerprint()}.mjs`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await esbuild.build({
    entryPoints: [entry],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  renameSync(tmp, file);
  return file;
}
