/**
 * D8: `aetos-load run --runner k6` hands the test to a real k6 binary ($K6_BIN, else `k6` on PATH):
 * the same bundle (a `.ts` script is bundled with engine/build/bundle.ts to a temporary `.js` beside
 * it, so k6's `open()` still resolves relative paths; a `.js` script is passed as it is), the same
 * environment and the same k6 flags. k6's exit code is passed through. No k6 found: one line, exit 2.
 */
import { accessSync, constants, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodeChildProcess } from '../lazy-require.ts';

/** Exit code when no k6 binary can be found (a usage problem, not a k6 code). */
export const NoK6Binary = 2;

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** $K6_BIN when set, else the first executable `k6` on PATH; undefined when there is none. */
export function findK6(env: NodeJS.ProcessEnv): { bin?: string; problem?: string } {
  const explicit = env.K6_BIN;
  if (explicit !== undefined && explicit !== '') {
    return isExecutable(explicit) ? { bin: explicit } : { problem: `K6_BIN=${explicit} is not an executable file` };
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, process.platform === 'win32' ? 'k6.exe' : 'k6');
    if (isExecutable(candidate)) return { bin: candidate };
  }
  return { problem: 'no k6 binary on PATH and K6_BIN is not set (install k6, or run on the engine with --runner engine)' };
}

/** The script k6 should run: `.ts` bundled to a temporary file; returns it and a cleanup. */
async function scriptForK6(script: string): Promise<{ file: string; cleanup(): void }> {
  if (!/\.(ts|mts|cts|tsx)$/.test(script)) return { file: script, cleanup() {} };
  // esbuild is loaded only for a .ts script run on k6
  const { bundleToString } = await import('../build/bundle.ts');
  const text = await bundleToString(script);
  const base = `${path.basename(script).replace(/\.[^.]+$/, '')}.js`;
  // Beside the script first, so relative open() paths resolve as in the .ts; a temp dir otherwise.
  for (const dir of [path.dirname(script), os.tmpdir()]) {
    try {
      const tmp = mkdtempSync(path.join(dir, '.aetos-k6-'));
      const file = path.join(tmp, base);
      writeFileSync(file, text);
      return { file, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
    } catch {
      // try the next place
    }
  }
  throw new Error(`cannot write the bundle of ${script} for k6`);
}

export interface K6HandOff {
  script: string;
  /** k6 flags as the user typed them (engine-only flags removed). */
  flags: string[];
  env: NodeJS.ProcessEnv;
  /** Where to say "no k6 found". */
  stderr: NodeJS.WritableStream;
}

/** Runs `k6 run [flags] <bundle>` with inherited stdio; resolves to k6's exit code. */
export async function runOnK6(req: K6HandOff): Promise<number> {
  const found = findK6(req.env);
  if (!found.bin) {
    req.stderr.write(`aetos-load run --runner k6: ${found.problem}\n`);
    return NoK6Binary;
  }
  const bundle = await scriptForK6(req.script);
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = nodeChildProcess().spawn(found.bin as string, ['run', ...req.flags, bundle.file], { stdio: 'inherit', env: req.env });
      // k6 handles Ctrl-C itself (graceful first, hard second): forward our signals, do not die of them.
      const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
      const onInt = forward('SIGINT');
      const onTerm = forward('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      const done = () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      };
      child.on('error', (err) => {
        done();
        reject(err);
      });
      child.on('exit', (code, signal) => {
        done();
        if (code !== null) resolve(code);
        else resolve(128 + (os.constants.signals[signal as NodeJS.Signals] ?? 0));
      });
    });
  } finally {
    bundle.cleanup();
  }
}
