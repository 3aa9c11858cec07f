/**
 * Bundles k6 scenarios with esbuild (DESIGN D2): one ESM file per entry, `k6` and `k6/*` left as
 * imports for k6 to resolve, JSON imports inlined (thresholds.json travels inside the bundle),
 * inline source maps so errors point at the original `.ts` line. Nothing Node-specific may reach a
 * bundle: importing a Node built-in fails the build with the file:line of the import. Modules
 * imported by URL are fetched (through an on-disk cache, remote-modules.ts) and inlined, so a
 * bundle is one self-contained k6 script.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { cachedFetcher, remoteModulesPlugin, remoteSettings, type RemoteModulesUsed, type RemoteSource } from './remote-modules.ts';

export interface BundleOptions {
  /** Where `http(s)://` imports come from; default: the network through the module cache (remote-modules.ts, settings from env). */
  remote?: RemoteSource;
  /** Notes that do not fail the build (a stale cached module used offline). */
  warn?: (message: string) => void;
}

/** A bundle and what went into it (the archive command stores each input). */
export interface BundleResult {
  code: string;
  /** Absolute paths of the local files bundled (the entry and its relative imports). */
  localFiles: string[];
  /** Remote modules: URL → text. */
  remoteModules: RemoteModulesUsed;
}

/** Raised when a scenario cannot be bundled; `message` is one line per problem, `file:line:col: text`. */
export class BundleError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'BundleError';
  }
}

const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Refuses Node built-ins: k6 has no Node APIs, so such an import would only fail later in k6. */
const noNodeBuiltins: esbuild.Plugin = {
  name: 'no-node-builtins',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      const bare = args.path.split('/')[0] ?? args.path;
      if (nodeBuiltins.has(args.path) || args.path.startsWith('node:') || nodeBuiltins.has(bare)) {
        return {
          errors: [{ text: `cannot import Node built-in "${args.path}": k6 scenarios run without Node APIs` }],
        };
      }
      return undefined;
    });
  },
};

function baseOptions(opts: BundleOptions, used: RemoteModulesUsed): esbuild.BuildOptions {
  const remote = opts.remote ?? cachedFetcher(remoteSettings(process.env, process.cwd(), { warn: opts.warn }));
  return {
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    // k6 runs ES modules with top-level await, in imported modules too (the bundle is ESM, so
    // esbuild keeps the awaits in place; the loader's wrapper is an async function)
    supported: { 'top-level-await': true },
    mainFields: ['module', 'main'],
    external: ['k6', 'k6/*'],
    sourcemap: 'inline',
    sourcesContent: true,
    loader: { '.json': 'json' },
    logLevel: 'silent',
    plugins: [remoteModulesPlugin(remote, used), noNodeBuiltins],
  };
}

function formatMessages(messages: esbuild.Message[], cwd: string): string[] {
  return messages.map((m) => {
    const loc = m.location;
    if (!loc) return `error: ${m.text}`;
    const file = path.relative(cwd, path.resolve(cwd, loc.file)) || loc.file;
    return `${file}:${loc.line}:${loc.column + 1}: error: ${m.text}`;
  });
}

async function runBuild(options: esbuild.BuildOptions, opts: BundleOptions = {}, used: RemoteModulesUsed = new Map()): Promise<esbuild.BuildResult> {
  try {
    return await esbuild.build({ ...baseOptions(opts, used), ...options });
  } catch (err) {
    const failure = err as esbuild.BuildFailure;
    if (Array.isArray(failure.errors)) throw new BundleError(formatMessages(failure.errors, process.cwd()));
    throw err;
  }
}

/** Bundles one script in memory: the k6 script text and the files and modules it took in. */
export async function bundleScript(entry: string, opts: BundleOptions = {}): Promise<BundleResult> {
  const used: RemoteModulesUsed = new Map();
  const result = await runBuild({ entryPoints: [entry], write: false, outfile: 'bundle.js', metafile: true }, opts, used);
  const file = result.outputFiles?.[0];
  if (!file) throw new BundleError([`${entry}: error: esbuild produced no output`]);
  // metafile inputs: paths relative to the working directory, `remote:<url>` for remote modules
  const localFiles = Object.keys(result.metafile?.inputs ?? {})
    .filter((k) => !/^[a-z-]+:/.test(k))
    .map((k) => path.resolve(k));
  return { code: file.text, localFiles, remoteModules: used };
}

/** Bundles one scenario in memory and returns the k6 script text (used by the engine's loader). */
export async function bundleToString(entry: string, opts: BundleOptions = {}): Promise<string> {
  return (await bundleScript(entry, opts)).code;
}

/** Bundles each entry into `outDir/<name>.js`, remote modules inlined. Returns the written paths. */
export async function bundleToDir(entries: string[], outDir: string, opts: BundleOptions = {}): Promise<string[]> {
  if (entries.length === 0) return [];
  await runBuild({ entryPoints: entries, outdir: outDir, entryNames: '[name]', write: true }, opts);
  return entries.map((e) => path.join(outDir, `${path.basename(e, path.extname(e))}.js`));
}
