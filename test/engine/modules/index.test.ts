/** The module registry: every supported module loads a factory; everything else gets one clear reason. */
import { describe, expect, it } from 'vitest';
import { loadModuleFactories, preloadModules, supportedModules, unsupportedModuleReason } from '../../../engine/modules/index.ts';

describe('module registry', () => {
  it('provides the k6 modules the engine implements, each as a factory', async () => {
    expect([...supportedModules].sort()).toEqual(['k6', 'k6/browser', 'k6/crypto', 'k6/data', 'k6/encoding', 'k6/execution', 'k6/experimental/csv', 'k6/experimental/fs', 'k6/html', 'k6/http', 'k6/metrics', 'k6/net/grpc', 'k6/secrets', 'k6/timers', 'k6/websockets', 'k6/ws']);
    const factories = await loadModuleFactories([...supportedModules]);
    for (const name of supportedModules) expect(typeof factories.get(name), name).toBe('function');
    for (const name of supportedModules) expect(unsupportedModuleReason(name)).toBeNull();
  });

  it('a preload (an idle thread before its script is known) neither throws nor reports; the load that follows gets the factories', async () => {
    const rejections: unknown[] = [];
    const onRejection = (r: unknown) => rejections.push(r);
    process.on('unhandledRejection', onRejection);
    try {
      expect(() => preloadModules(['k6/http', 'k6', 'k6/no-such-module', 'lodash'])).not.toThrow();
      const factories = await loadModuleFactories(['k6/http', 'k6']);
      expect([...factories.keys()]).toEqual(['k6/http', 'k6']);
      await new Promise((r) => setImmediate(r));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('names unsupported k6 modules and says what to do', () => {
    for (const name of ['k6/experimental/redis', 'k6/experimental/streams', 'k6/x/kafka']) {
      expect(unsupportedModuleReason(name)).toMatch(new RegExp(`^module "${name.replace(/\//g, '\\/')}" is not supported by the aetos-load engine .*run this script with --runner k6$`));
    }
  });

  it('refuses unbundled remote, bare and unbundled relative imports with the reason', () => {
    expect(unsupportedModuleReason('https://jslib.k6.io/k6-utils/1.4.0/index.js')).toBe(
      "remote module \"https://jslib.k6.io/k6-utils/1.4.0/index.js\" was not bundled: the engine fetches modules imported by URL when it bundles the script, from a static `import … from 'https://jslib.k6.io/k6-utils/1.4.0/index.js'` at the top of the file; write the import that way",
    );
    expect(unsupportedModuleReason('lodash')).toBe('import "lodash" is not a k6 module; k6 scripts can import only k6, k6/* and relative files');
    expect(unsupportedModuleReason('./lib.js')).toMatch(/^import "\.\/lib\.js" was not bundled/);
  });
});
