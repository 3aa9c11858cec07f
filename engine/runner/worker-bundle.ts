/**
 * The file every worker thread starts on: worker-main.ts and the engine it imports, prebuilt by
 * engine/build/app-bundle.js into `node_modules/.cache/aetos-load/` (in the same build as the
 * command's main thread). A worker thread starts with no loader hooks, and registering tsx in each
 * thread then transpiling ~100 engine files there cost 300-600 ms per thread; the prebuilt bundle
 * loads in ~50 ms (bench/worker-start.ts). An edited source is rebuilt on the next run.
 */
import { appBundleDir, describeBuildError } from '../build/app-bundle.js';
import { EngineError, ExitCode } from '../errors.ts';
import { workerEntryIn } from './worker-entry.ts';

let file: Promise<string> | undefined;

/** The bundled worker entry (built on first use when a source changed, else reused from the cache). */
export function workerEntryFile(): Promise<string> {
  file ??= appBundleDir().then(
    (dir) => workerEntryIn(dir),
    (err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
        throw new EngineError(`cannot write the engine bundle cache under node_modules/.cache/aetos-load: ${(err as Error).message} (make node_modules/.cache writable for this user)`, ExitCode.GenericEngine);
      }
      throw new EngineError(`cannot build the engine bundle for worker threads:\n${describeBuildError(err)}`, ExitCode.GenericEngine);
    },
  );
  return file;
}
