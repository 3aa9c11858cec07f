/**
 * The file a worker thread starts on inside a bundle folder (engine/build/app-bundle.js names the
 * entry `worker-main`). Its own module because prewarm.ts, which needs it, is also built alone as
 * CommonJS for bin/aetos-load.js and must not pull in the bundle builder (worker-bundle.ts).
 */
import path from 'node:path';

export function workerEntryIn(bundleDir: string): string {
  return path.join(bundleDir, 'worker-main.js');
}
