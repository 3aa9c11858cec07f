/**
 * The engine's loader (DESIGN D3): reads a k6 script (bundling it first when given a `.ts`, or a
 * `.js` with relative imports), runs the blocking-call pass (transform.ts) once, checks its
 * imports against the module registry, and compiles the result ONCE into a module function that
 * each VU evaluates for its own module scope.
 *
 * Why vm.Script + runInThisContext and not `new Function` or a context per VU:
 *  - vm.Script takes a `filename`, so V8 stack frames name the script and can be mapped back to the
 *    original `.ts` line (source-map.ts); `new Function` frames read `eval at …`/`<anonymous>`.
 *  - one compilation, run once in this realm, gives one function; calling it per VU creates that
 *    VU's module scope (`let n = 0` at top level counts per VU) for the cost of its closures.
 *  - a vm context per VU would isolate globals too but costs megabytes per VU (a whole realm).
 *    Compatibility difference (documented in README): all VUs share one realm, so a script that
 *    writes to `globalThis` shares that between VUs. `__VU`, `__ITER`, `__ENV`, timers, console,
 *    `open` and `Math.random` are per VU (rewritten identifiers / module-function parameters).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SourceMap } from 'node:module';
import vm from 'node:vm';
import type { BundleOptions } from '../build/bundle.ts';
import { hasRemoteImport } from '../build/remote-import.ts';
import { ScriptLoadError } from '../errors.ts';
import { loadModuleFactories, unsupportedModuleReason } from '../modules/index.ts';
import type { ModuleFactory } from '../types.ts';
import { PositionMapper, displayPath, findInlineSourceMap, firstScriptFrame, scriptStack } from './source-map.ts';
import { ScriptSyntaxError } from './syntax-error.ts';
import type { TransformResult } from './transform.ts';
import { transformCached } from './transform-cache.ts';
import { registerScriptForRejections } from './unhandled.ts';

/** The module function: evaluated once per VU, returns that VU's exports. */
export type ModuleFunction = (...args: unknown[]) => Promise<Record<string, unknown>>;

export interface LoadedScript {
  /** Absolute path of the script the user gave (the .ts when run from .ts). */
  readonly scriptPath: string;
  /** Folder `open()` resolves relative paths against. */
  readonly baseDir: string;
  /** The transformed code (for diagnostics). */
  readonly code: string;
  /** Compiled once; call per VU with the wrapper parameters (see transform.ts WRAPPER_PARAMS). */
  readonly moduleFunction: ModuleFunction;
  /** Factories of the k6 modules the script imports, by module name. */
  readonly modules: ReadonlyMap<string, ModuleFactory>;
  /** Names the script exports (default, options, setup, teardown, handleSummary, exec functions). */
  readonly exportNames: readonly string[];
  readonly stats: TransformResult['stats'];
  /** `file:line: text` for things that run but behave differently from k6; VUs log each once. */
  readonly warnings: readonly string[];
  /** A stack trace as the user sees it: the message and the script's frames at original file:line:col. */
  mapStack(stack: string): string;
  /** The original `file:line` of the innermost script frame of an error (or of where a non-Error value was thrown), or null. */
  errorLocation(err: unknown): string | null;
  /** For a value that is not an Error (`throw 'text'`): `message` and the script's frames where it was thrown. */
  mapThrown(value: unknown, message: string): string;
}

/**
 * Where non-Error values were thrown: `throw x` runs through `record(x)` (transform.ts
 * recordThrows), which captures the stack at the throw. Objects are kept weakly; primitives (a
 * thrown string) by value in a small bounded map (the latest throw of an equal value wins).
 */
class ThrownValues {
  private readonly objects = new WeakMap<object, string>();
  private readonly primitives = new Map<unknown, string>();
  readonly record = (value: unknown): unknown => {
    if (value instanceof Error) return value;
    const holder: { stack?: string } = {};
    Error.captureStackTrace(holder, this.record);
    const stack = holder.stack ?? '';
    if ((typeof value === 'object' && value !== null) || typeof value === 'function') this.objects.set(value, stack);
    else {
      this.primitives.delete(value);
      this.primitives.set(value, stack);
      if (this.primitives.size > 256) this.primitives.delete(this.primitives.keys().next().value);
    }
    return value;
  };
  stackOf(value: unknown): string | undefined {
    return (typeof value === 'object' && value !== null) || typeof value === 'function' ? this.objects.get(value) : this.primitives.get(value);
  }
}

/** The file name V8 sees for the compiled script; frames with it are mapped back. */
const generatedName = (scriptPath: string) => `aetos-load:${scriptPath}`;

const hasRelativeImport = (code: string) => /(?:^|[\s;])(?:import|export)\b[^'"]*?from\s*['"]\.{1,2}\/|(?:^|[\s;])import\s*['"]\.{1,2}\//m.test(code);

/**
 * The script text, and the folder its inline source map's `sources` are relative to: the working
 * directory for what we bundle in memory, the file's own folder for a bundle read from disk.
 */
async function readScript(scriptPath: string, bundle: BundleOptions): Promise<{ code: string; mapBase: string }> {
  const ext = path.extname(scriptPath).toLowerCase();
  // esbuild is loaded only for scripts that need bundling: a worker thread starts faster without it.
  const bundleToString = async (file: string, options: BundleOptions) => (await import('../build/bundle.ts')).bundleToString(file, options);
  try {
    if (ext === '.ts' || ext === '.mts' || ext === '.tsx') return { code: await bundleToString(scriptPath, bundle), mapBase: process.cwd() };
    const code = await readFile(scriptPath, 'utf8');
    // a hand-written k6 script that imports relative files or modules by URL: bundle it the same
    // way (k6 resolves them itself; remote ones are fetched through the module cache here)
    if (hasRelativeImport(code) || hasRemoteImport(code)) return { code: await bundleToString(scriptPath, bundle), mapBase: process.cwd() };
    return { code, mapBase: path.dirname(scriptPath) };
  } catch (err) {
    if (err instanceof Error && err.name === 'BundleError') throw new ScriptLoadError(err.message);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new ScriptLoadError(`${displayPath(scriptPath)}: no such file`);
    throw new ScriptLoadError(`${displayPath(scriptPath)}: cannot read script: ${e.message}`);
  }
}

export interface LoadOptions {
  /** How modules imported by URL are had (default: the network through the module cache). */
  bundle?: BundleOptions;
}

export async function loadScript(scriptPathIn: string, opts: LoadOptions = {}): Promise<LoadedScript> {
  const scriptPath = path.resolve(scriptPathIn);
  const bundleWarnings: string[] = [];
  const { code: raw, mapBase } = await readScript(scriptPath, { warn: (m) => bundleWarnings.push(m), ...opts.bundle });
  const inline = findInlineSourceMap(raw);
  const code = inline ? raw.slice(0, inline.start) : raw;
  const mapper0 = new PositionMapper(scriptPath, inline?.map ?? null, mapBase, null);

  let result: TransformResult;
  try {
    result = await transformCached(code, { recordThrows: true });
  } catch (err) {
    if (err instanceof ScriptSyntaxError) throw new ScriptLoadError(`${mapper0.where(err.line, err.column)}: ${err.message}`);
    throw err;
  }

  const problems: string[] = [];
  for (const r of result.refusals) problems.push(`${mapper0.where(r.line, r.column)}: ${r.message}`);
  const moduleNames = new Set<string>();
  for (const imp of result.imports) {
    const reason = unsupportedModuleReason(imp.source);
    if (reason) problems.push(`${mapper0.where(imp.line, imp.column)}: ${reason}`);
    else moduleNames.add(imp.source);
  }
  if (problems.length > 0) throw new ScriptLoadError(problems.join('\n'));

  const mapper = new PositionMapper(scriptPath, inline?.map ?? null, mapBase, new SourceMap(JSON.parse(result.map)));
  const filename = generatedName(scriptPath);
  const thrown = new ThrownValues();
  let moduleFunction: ModuleFunction;
  try {
    // the outer function hands the code its throw recorder (on line 1, before the script's first line)
    const outer = new vm.Script(`(function (${result.thrownName}) { return ${result.code}})`, { filename }).runInThisContext() as (r: unknown) => ModuleFunction;
    moduleFunction = outer(thrown.record);
  } catch (err) {
    const e = err as Error;
    const where = firstScriptFrame(e.stack ?? '', filename, mapper) ?? displayPath(scriptPath);
    throw new ScriptLoadError(`${where}: ${e.name}: ${e.message}`);
  }
  const modules = await loadModuleFactories([...moduleNames]);
  const mapStack = (stack: string) => scriptStack(stack, filename, mapper, result.defaultLocal);
  registerScriptForRejections(filename, mapStack);

  return {
    scriptPath,
    baseDir: path.dirname(scriptPath),
    code: result.code,
    moduleFunction,
    modules,
    exportNames: result.exportNames,
    stats: result.stats,
    warnings: [...bundleWarnings, ...result.warnings.map((w) => `${mapper0.where(w.line, w.column)}: ${w.message}`)],
    mapStack,
    errorLocation(err) {
      const stack = err instanceof Error ? err.stack : thrown.stackOf(err);
      return stack ? firstScriptFrame(stack, filename, mapper) : null;
    },
    mapThrown(value, message) {
      const stack = thrown.stackOf(value);
      if (!stack) return message;
      const frames = stack.split('\n').filter((l) => /^\s+at /.test(l));
      return mapStack([message, ...frames].join('\n'));
    },
  };
}
