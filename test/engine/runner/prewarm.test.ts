/**
 * engine/runner/prewarm.ts: the spare thread bin/aetos-load.js starts on a given bundle folder
 * (the last build, before it is checked) is what the run takes, also when bin started it through
 * the bundle's CommonJS build of the module; one dropped because the check found that build out of
 * date is not.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appBundleDir } from '../../../engine/build/app-bundle.js';
import { runWorkerMemoryMb } from '../../../engine/config/threads.ts';
import { dropPrewarmed, prewarmWorker, startPrewarmed, takePrewarmed } from '../../../engine/runner/prewarm.ts';
import { workerStartOf, type WorkerStart } from '../../../engine/runner/worker-start.ts';
import { workerEntryIn } from '../../../engine/runner/worker-entry.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aetos-prewarm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// a bundle folder whose worker entry answers with its own file name, then idles until terminated
const entry = workerEntryIn(dir);
writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
writeFileSync(entry, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => parentPort.postMessage(import.meta.filename));\n");
const memoryMb = runWorkerMemoryMb({});
const settings = { logOutput: 'stderr', verbose: false, logFormat: 'raw' as const };
const start: WorkerStart = workerStartOf(path.join(dir, 'script.js'), settings, dir);

/** Takes the prewarmed thread, asks it which entry file it runs, and ends it. */
async function takeAndAskEntry(as: WorkerStart = start): Promise<{ note: string; file?: unknown; early?: unknown[] }> {
  const { warm, note } = await takePrewarmed(memoryMb, as);
  if (!warm) return { note };
  const early = warm.started ? await answered(warm.early) : undefined;
  warm.stopBuffering();
  const file = await new Promise((resolve) => {
    warm.worker.once('message', resolve);
    warm.worker.postMessage('which');
  });
  await warm.worker.terminate();
  return { note, file, ...(early && { early }) };
}

/** `early` once the thread has answered the start message posted to it (it holds what the thread sent). */
async function answered(early: unknown[]): Promise<unknown[]> {
  for (let i = 0; i < 500 && early.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  return [...early];
}

describe('prewarmed thread', () => {
  it('started on a given bundle folder, it is the thread the run takes, on that folder\'s entry', async () => {
    prewarmWorker(dir);
    expect(await takeAndAskEntry()).toEqual({ note: 'taken', file: entry });
  });

  it('started through the bundle\'s CommonJS copy of the module (as bin/aetos-load.js does), the ES copy takes it', async () => {
    const cjs = createRequire(import.meta.url)(path.join(await appBundleDir(), 'prewarm.cjs')) as { prewarmWorker(dir: string): void };
    cjs.prewarmWorker(dir);
    // the ES copy starts none of its own: it finds the thread the other copy started
    prewarmWorker(path.join(dir, 'elsewhere'));
    expect(await takeAndAskEntry()).toEqual({ note: 'taken', file: entry });
  });

  it('dropped (the build it started on was out of date), the run has none to take and it ends', async () => {
    prewarmWorker(dir);
    dropPrewarmed();
    expect((await takePrewarmed(memoryMb, start)).note).toBe('none was started');
  });

  it('told what to run before it is taken (cli/run.ts), the run with that WorkerStart takes it and reads what it sent meanwhile', async () => {
    prewarmWorker(dir);
    startPrewarmed(start, memoryMb);
    // the fixture answers its start message with its file name: held for the taker, not lost
    // the run builds its own WorkerStart from the same settings: an equal object, not the same one
    expect(await takeAndAskEntry(workerStartOf(start.scriptPath, settings, dir))).toEqual({ note: 'taken, told what to run as the command was read', file: entry, early: [entry] });
  });

  it('told another script or log setting than the run\'s, it is dropped', async () => {
    prewarmWorker(dir);
    startPrewarmed(start, memoryMb);
    expect((await takePrewarmed(memoryMb, { ...start, scriptPath: path.join(dir, 'other.js') })).note).toBe('dropped: it was started on another script or log setting');
    prewarmWorker(dir);
    startPrewarmed(start, memoryMb);
    expect((await takePrewarmed(memoryMb, workerStartOf(start.scriptPath, { ...settings, logFormat: 'json' }, dir))).note).toBe('dropped: it was started on another script or log setting');
    // every field counts, those of the console file too
    prewarmWorker(dir);
    startPrewarmed(start, memoryMb);
    expect((await takePrewarmed(memoryMb, workerStartOf(start.scriptPath, { ...settings, consoleOutput: 'console.log' }, dir))).note).toBe('dropped: it was started on another script or log setting');
    prewarmWorker(dir);
    startPrewarmed(start, memoryMb);
    expect((await takePrewarmed(memoryMb, workerStartOf(start.scriptPath, { ...settings, verbose: true }, dir))).note).toBe('dropped: it was started on another script or log setting');
  });

  it('told with another heap limit than its own (a run that will not take it), it is left untold: a run with its own limit takes it and tells it then', async () => {
    prewarmWorker(dir);
    startPrewarmed(start, memoryMb + 1);
    expect(await takeAndAskEntry()).toEqual({ note: 'taken', file: entry });
  });
});
