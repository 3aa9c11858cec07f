/**
 * Bundles k6 scenarios with esbuild (DESIGN D2): one ESM file per entry, `k6` and `k6/*` left as
 * imports for k6 to resolve, JSON imports inlined (thresholds.json travels inside the bundle),
 * inline source maps so errors point at the original `.ts` line. Nothing Node-specific may reach a
 * bundle: importing a Node built-in fails the build with the file:line of the import.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';
import * as esbuild from 'esbuild';

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

function baseOptions(): esbuild.BuildOptions {
  return {
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    mainFields: ['module', 'main'],
    external: ['k6', 'k6/*', 'https://*', 'http://*'],
    sourcemap: 'inline',
    sourcesContent: true,
    loader: { '.json': 'json' },
    logLevel: 'silent',
    plugins: [noNodeBuiltins],
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

async function runBuild(options: esbuild.BuildOptions): Promise<esbuild.BuildResult> {
  try {
    return await esbuild.build({ ...baseOptions(), ...options });
  } catch (err) {
    const failure = err as esbuild.BuildFailure;
    if (Array.isArray(failure.errors)) throw new BundleError(formatMessages(failure.errors, process.cwd()));
    throw err;
  }
}

/** Bundles one scenario in memory and returns the k6 script text (used by the engine's loader). */
export async function bundleToString(entry: string): Promise<string> {
  const result = await runBuild({ entryPoints: [entry], write: false, outfile: 'bundle.js' });
  const file = result.outputFiles?.[0];
  if (!file) throw new BundleError([`${entry}: error: esbuild produced no output`]);
  return file.text;
}

/** Bundles each entry into `outDir/<name>.js`. Returns the written paths. */
export async function bundleToDir(entries: string[], outDir: string): Promise<string[]> {
  if (entries.length === 0) return [];
  await runBuild({ entryPoints: entries, outdir: outDir, entryNames: '[name]', write: true });
  return entries.map((e) => path.join(outDir, `${path.basename(e, path.extname(e))}.js`));
}
