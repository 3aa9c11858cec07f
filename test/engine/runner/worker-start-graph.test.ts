/**
 * What a worker thread loads before it can run a script, read off the built bundle
 * (engine/build/app-bundle.js): the static import closure of `worker-main.js`, and of k6/http's
 * chunk. Every thread pays for it at start-up (bench/worker-start.ts), so main-thread code (the
 * store, the outputs, the summary) and builtins only some runs need (node:crypto ~6 ms, node:zlib)
 * must stay out of it. The bundle marks each source file it inlines with a `// <path>` comment.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appBundleDir } from '../../../engine/build/app-bundle.js';

/** The files and builtins a bundle file loads statically, itself included. */
function staticClosure(dir: string, entry: string): { sources: Set<string>; builtins: Set<string> } {
  const sources = new Set<string>();
  const builtins = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(path.join(dir, file), 'utf8');
    for (const m of text.matchAll(/^\/\/ ((?:engine|cli|lib)\/\S+\.[jt]s)$/gm)) sources.add(m[1] as string);
    // static imports only: `import … from "x"` and `import "x"` at the start of a line (a dynamic
    // import() is a call inside code)
    for (const m of text.matchAll(/^(?:import|export)\s(?:[^;]*?\sfrom\s)?"([^"]+)";?$/gms)) {
      const spec = m[1] as string;
      if (spec.startsWith('./')) visit(spec.slice(2));
      else if (spec.startsWith('node:')) builtins.add(spec);
    }
  };
  visit(entry);
  return { sources, builtins };
}

describe('a worker thread\'s start-up graph (the built bundle)', () => {
  it('worker-main.js loads no main-thread code and neither node:crypto nor node:zlib', async () => {
    const dir = await appBundleDir();
    const { sources, builtins } = staticClosure(dir, 'worker-main.js');
    // it is the real closure: the thread's own code is in it
    expect(sources).toContain('engine/runner/worker-main.ts');
    expect(sources).toContain('engine/metrics/collector.ts');
    expect(sources).toContain('engine/vu/index.ts');
    expect([...sources].filter((s) => /^engine\/(outputs|summary)\/|^engine\/metrics\/store\.ts$/.test(s))).toEqual([]);
    expect(builtins).not.toContain('node:crypto');
    expect(builtins).not.toContain('node:zlib');
  });

  it('k6/http loads neither node:crypto nor node:zlib until a request needs them', async () => {
    const dir = await appBundleDir();
    const http = readdirSync(dir).find((f) => /^http-[A-Z0-9]+\.js$/.test(f) && readFileSync(path.join(dir, f), 'utf8').includes('// engine/modules/http/index.ts'));
    expect(http).toBeDefined();
    const { sources, builtins } = staticClosure(dir, http as string);
    expect(sources).toContain('engine/modules/http/client.ts');
    expect(sources).toContain('engine/modules/http/auth.ts');
    expect(builtins).not.toContain('node:crypto');
    expect(builtins).not.toContain('node:zlib');
  });
});
