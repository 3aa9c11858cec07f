/**
 * What a run loads before its first worker thread can run the script. Read off the built bundle
 * (engine/build/app-bundle.js): the static import closure of `worker-main.js`, and of k6/http's
 * chunk. Every thread pays for it at start-up (bench/worker-start.ts), so main-thread code (the
 * store, the outputs, the summary) and builtins only some runs need (node:crypto ~6 ms, node:zlib)
 * must stay out of it. The bundle marks each source file it inlines with a `// <path>` comment.
 * And observed in a real `aetos-load run`: the builtins the main thread has loaded when it hands
 * the first thread its script (it is the last thing that thread waits for).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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

const bin = path.resolve(import.meta.dirname, '../../../bin/aetos-load.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'aetos-start-graph-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

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

  it('the main thread has loaded neither node:crypto, node:child_process, node:zlib nor node:http when it hands the first thread its script', async () => {
    await appBundleDir(); // built now, so the run below does not rebuild (esbuild loads child_process)
    const preload = path.join(tmp, 'at-start.cjs');
    writeFileSync(
      preload,
      `const { isMainThread, Worker } = require('node:worker_threads');
if (isMainThread) {
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (m, ...rest) {
    if (m && m.type === 'start') process.stdout.write('AT-START ' + JSON.stringify(process.moduleLoadList.filter((x) => x.startsWith('NativeModule '))) + '\\n');
    return post.call(this, m, ...rest);
  };
}
`,
    );
    const script = path.join(tmp, 'noop.js');
    writeFileSync(script, 'export default function () {}\n');
    const out = execFileSync(process.execPath, ['--require', preload, bin, 'run', '-q', '-u', '1', '-i', '1', script], { encoding: 'utf8', cwd: tmp });
    const line = out.split('\n').find((l) => l.startsWith('AT-START '));
    expect(line).toBeDefined();
    const loaded = JSON.parse((line as string).slice('AT-START '.length)) as string[];
    expect(loaded).toContain('NativeModule worker_threads'); // the list is the real one
    expect(loaded.filter((m) => /^NativeModule (crypto|child_process|zlib|http)$/.test(m))).toEqual([]);
  });
});
