/**
 * The project's own TypeScript, prebuilt: `cli/index.ts` (the command's main thread),
 * `engine/runner/worker-main.ts` (every worker thread) and `engine/runner/prewarm.ts` bundled by
 * esbuild in one build with shared chunks (so one instance of each module), into
 * `node_modules/.cache/aetos-load/app-<hash>/`.
 *
 * Why: loading ~230 source files through tsx's loader hooks cost the main thread ~270 ms of a
 * 415 ms `run -u 1 -i 1`, and a worker thread (which starts with no hooks) 300–600 ms; the bundle
 * loads in a fraction of that (bench/worker-start.ts). Plain JavaScript because it runs before any
 * TypeScript can be loaded (bin/aetos-load.js); engine/runner/worker-bundle.ts uses it too, so the
 * tests, which run the engine from source, start their worker threads on the same bundle.
 *
 * Kept exact: every file of the build is listed with its size and mtime in the folder's
 * `inputs.json`; `current.json` names the last folder built. The bundle is used only while every
 * one of its inputs is unchanged (a stat each, ~3 ms), so an edit is picked up on the next run, and
 * a new file matters only through an edited file that imports it.
 * Kept location-free: `import.meta.url`/`dirname`/`filename` in a source file become that file's own
 * values at build time, so code that finds files next to itself (report/client.js, wms/frontend,
 * package.json, createRequire) behaves as it does from source.
 * Kept safe: a build is written under a temporary name and renamed, so two commands building at once
 * never load half a bundle; packages stay external (resolved from the repo's node_modules, which
 * encloses the cache folder).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import lastBuild from './last-build.cjs';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Folders of earlier builds are removed once they are this old (a long run may still use one). */
const staleMs = 24 * 3600_000;

/** @param {string} file */
function stamp(file) {
  const s = statSync(file, { throwIfNoEntry: false });
  return s ? `${s.size}:${s.mtimeMs}` : 'missing';
}

/** esbuild plugin: a source file's `import.meta.url`/`dirname`/`filename` become its own values. */
const pinImportMeta = {
  name: 'pin-import-meta',
  /** @param {import('esbuild').PluginBuild} build */
  setup(build) {
    build.onLoad({ filter: /\.[jt]s$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      /** @type {Record<string, string>} */
      const values = { url: pathToFileURL(args.path).href, dirname: path.dirname(args.path), filename: args.path };
      const contents = text.replace(/\bimport\.meta\.(url|dirname|filename)\b/g, (_m, key) => JSON.stringify(values[key]));
      return { contents, loader: args.path.endsWith('.ts') ? 'ts' : 'js' };
    });
  },
};

/**
 * esbuild plugin: the project's own CommonJS files (engine/build/last-build.cjs) stay outside the
 * bundle, imported from where they are. An ES bundle cannot `require` the builtins they need, and
 * bin/aetos-load.js has loaded them already: Node's module cache then holds one copy for both.
 */
const keepCommonJs = {
  name: 'keep-commonjs',
  /** @param {import('esbuild').PluginBuild} build */
  setup(build) {
    build.onResolve({ filter: /\.cjs$/ }, (args) => {
      if (!args.path.startsWith('.')) return undefined;
      return { path: pathToFileURL(path.resolve(args.resolveDir, args.path)).href, external: true };
    });
  },
};

/**
 * A cached bundle of `entries` (output name → source file) under `root`, built into `cacheDir`.
 * `cjsEntries` are built too, each alone into one CommonJS file `<name>.cjs`: code that must run
 * before Node's ES module loader has started (bin/aetos-load.js). A module they share with `entries`
 * is then loaded twice, so such code keeps its state where both copies find it.
 * @param {{ root: string, entries: Record<string, string>, cjsEntries?: Record<string, string>, cacheDir: string }} o
 */
export function createAppBundle(o) {
  const currentFile = lastBuild.currentFileIn(o.cacheDir);

  /** The folder of the current build if every input it was built from is unchanged, else undefined. */
  function currentBuild() {
    try {
      const { dir } = JSON.parse(readFileSync(currentFile, 'utf8'));
      const inputs = JSON.parse(readFileSync(path.join(o.cacheDir, dir, 'inputs.json'), 'utf8'));
      if (inputs.node !== process.version) return undefined;
      for (const [file, was] of Object.entries(inputs.files)) if (stamp(path.join(o.root, file)) !== was) return undefined;
      return path.join(o.cacheDir, dir);
    } catch {
      return undefined;
    }
  }

  async function build() {
    mkdirSync(o.cacheDir, { recursive: true });
    const tmp = path.join(o.cacheDir, `app.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    const esbuild = await import('esbuild');
    /** @type {import('esbuild').BuildOptions} */
    const common = {
      bundle: true,
      platform: 'node',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      metafile: true,
      absWorkingDir: o.root,
      logLevel: 'silent',
      plugins: [pinImportMeta, keepCommonJs],
    };
    const results = await Promise.all([
      esbuild.build({
        ...common,
        entryPoints: o.entries,
        outdir: tmp,
        outExtension: { '.js': '.js' },
        // Split at dynamic imports: a command, a k6 module (k6/http pulls in undici) or an output is
        // loaded only when it is used, as it is when the code runs from source.
        splitting: true,
        format: 'esm',
      }),
      ...Object.entries(o.cjsEntries ?? {}).map(([name, file]) => esbuild.build({ ...common, entryPoints: [file], outfile: path.join(tmp, `${name}.cjs`), format: 'cjs' })),
    ]);
    /** @type {Record<string, string>} */
    const files = {};
    const inputs = new Set(results.flatMap((r) => Object.keys(r.metafile?.inputs ?? {})));
    for (const input of [...inputs].sort()) files[input] = stamp(path.join(o.root, input));
    const inputsText = `${JSON.stringify({ node: process.version, files }, null, 1)}\n`;
    writeFileSync(path.join(tmp, 'inputs.json'), inputsText);
    // ESM by its folder's package.json, so the chunks' `.js` names load as modules.
    writeFileSync(path.join(tmp, 'package.json'), '{"type":"module"}\n');
    // node:crypto only here: loading it costs every command ~5 ms before its first worker starts
    const { createHash } = await import('node:crypto');
    const name = `app-${createHash('sha256').update(inputsText).digest('hex').slice(0, 16)}`;
    const dir = path.join(o.cacheDir, name);
    try {
      renameSync(tmp, dir);
    } catch (err) {
      // Another command built the same sources at the same moment: use theirs.
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(path.join(dir, 'inputs.json'))) throw err;
    }
    const currentTmp = `${currentFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(currentTmp, `${JSON.stringify({ dir: name })}\n`);
    renameSync(currentTmp, currentFile);
    removeStale(name);
    return dir;
  }

  /** @param {string} keep */
  function removeStale(keep) {
    const now = Date.now();
    for (const e of readdirSync(o.cacheDir, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === keep || !/^(app-|worker-|app\.)/.test(e.name)) continue;
      const p = path.join(o.cacheDir, e.name);
      if (now - statSync(p).mtimeMs > staleMs) rmSync(p, { recursive: true, force: true });
    }
  }

  return {
    /**
     * The folder of the last build, not checked against the sources (undefined before the first
     * build): for work that may start before the check and is undone when the check disagrees.
     * @returns {string | undefined}
     */
    last: () => lastBuild.lastBuildIn(o.cacheDir),
    /**
     * The folder holding the current bundle (one `<name>.js` per entry, and their chunks), built
     * first when a source changed. Rejects when the cache folder cannot be written or a source does
     * not compile (esbuild's messages, with file and line).
     * @returns {Promise<string>}
     */
    dir: () => Promise.resolve().then(() => currentBuild() ?? build()),
  };
}

/** This project's bundle: the command's main thread and the worker threads' entry. */
const app = createAppBundle({
  root: repoRoot,
  entries: {
    index: path.join(repoRoot, 'cli', 'index.ts'),
    'worker-main': path.join(repoRoot, 'engine', 'runner', 'worker-main.ts'),
  },
  // bin/aetos-load.js starts `run`'s first worker thread through it before loading the command
  cjsEntries: { prewarm: path.join(repoRoot, 'engine', 'runner', 'prewarm.ts') },
  cacheDir: lastBuild.appCacheDir,
});

/** Where a process records the folder it validated, so the bundled copy of this module does not check again. */
const validated = Symbol.for('aetos-load.app-bundle-dir');

/** @type {Promise<string> | undefined} */
let ready;

/**
 * The folder holding this project's current bundle (`index.js`, `worker-main.js` and their
 * chunks), checked once per process.
 * @returns {Promise<string>}
 */
export function appBundleDir() {
  const g = /** @type {Record<symbol, string | undefined>} */ (globalThis);
  ready ??= Promise.resolve(g[validated]).then(async (known) => (g[validated] = known ?? (await app.dir())));
  return ready;
}

/**
 * esbuild's errors as `file:line:col: error: text` lines, for a failed build.
 * @param {unknown} err
 * @returns {string}
 */
export function describeBuildError(err) {
  const errors = /** @type {{ errors?: import('esbuild').Message[] }} */ (err).errors;
  if (!errors?.length) return /** @type {Error} */ (err).message;
  return errors.map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: error: ${m.text}` : `error: ${m.text}`)).join('\n');
}
