/**
 * The registry of k6 modules the engine provides: module name → ModuleFactory (engine/types.ts).
 * The loader asks it which imports are supported (anything else is a load-time error naming the
 * module) and loads only the factories a script imports. `k6/http` and `k6/metrics` are owned by
 * their own engineers' files and are imported lazily, so a problem in one module never stops
 * scripts that do not use it.
 */
import { ScriptLoadError } from '../errors.ts';
import type { ModuleFactory } from '../types.ts';

type FactoryLoader = () => Promise<ModuleFactory>;

const registry: Record<string, FactoryLoader> = {
  k6: async () => (await import('./k6.ts')).k6Module,
  'k6/http': async () => (await import('./http/index.ts')).httpModule,
  'k6/metrics': async () => (await import('./metrics.ts')).metricsModule,
  'k6/execution': async () => (await import('./execution.ts')).executionModule,
  'k6/data': async () => (await import('./data.ts')).dataModule,
  'k6/timers': async () => (await import('./timers.ts')).timersModule,
  'k6/encoding': async () => (await import('./encoding.ts')).encodingModule,
  'k6/crypto': async () => (await import('./crypto.ts')).cryptoModule,
  'k6/html': async () => (await import('./html/index.ts')).htmlModule,
  'k6/ws': async () => (await import('./ws/legacy.ts')).wsModule,
  'k6/websockets': async () => (await import('./ws/browser.ts')).websocketsModule,
  'k6/net/grpc': async () => (await import('./grpc/index.ts')).grpcModule,
  'k6/experimental/fs': async () => (await import('./fs.ts')).fsModule,
  'k6/experimental/csv': async () => (await import('./csv.ts')).csvModule,
  'k6/secrets': async () => (await import('./secrets.ts')).secretsModule,
  'k6/browser': async () => (await import('./browser/index.ts')).browserModule,
};

/** Module names the engine provides. */
export const supportedModules: readonly string[] = Object.keys(registry);

/** Why an import cannot be loaded, or null when the engine provides it. */
export function unsupportedModuleReason(source: string): string | null {
  if (source in registry) return null;
  if (/^https?:\/\//.test(source)) {
    // modules imported by URL are fetched and inlined when the script is bundled (engine/build/remote-modules.ts);
    // one that reaches this check was not seen by the bundler (an import the loader could not spot)
    return `remote module "${source}" was not bundled: the engine fetches modules imported by URL when it bundles the script, from a static \`import … from '${source}'\` at the top of the file; write the import that way`;
  }
  if (source === 'k6' || source.startsWith('k6/')) {
    return `module "${source}" is not supported by the aetos-load engine (supported: ${supportedModules.join(', ')}); run this script with --runner k6`;
  }
  if (source.startsWith('.') || source.startsWith('/')) {
    return `import "${source}" was not bundled: run the .ts scenario (or bundle the script) so relative imports are resolved`;
  }
  return `import "${source}" is not a k6 module; k6 scripts can import only k6, k6/* and relative files`;
}

/**
 * Starts loading the given modules' code without waiting or reporting: a later
 * loadModuleFactories of the same names shares the loads (import() does), and reports any failure.
 * For a thread that is idle before it knows its script (runner/worker-main.ts).
 */
export function preloadModules(names: readonly string[]): void {
  for (const name of names) registry[name]?.().catch(() => undefined);
}

/** Loads the factories of the given (supported) modules. */
export async function loadModuleFactories(names: string[]): Promise<Map<string, ModuleFactory>> {
  const out = new Map<string, ModuleFactory>();
  for (const name of names) {
    const load = registry[name];
    if (!load) continue;
    try {
      out.set(name, await load());
    } catch (err) {
      throw new ScriptLoadError(`module "${name}" failed to load in the engine: ${(err as Error).message}`);
    }
  }
  return out;
}
