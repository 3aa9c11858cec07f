/**
 * `aetos-load run [flags] <script>`: parses flags and K6_* env vars, then either hands the test to
 * a k6 binary (`--runner k6`, D8) or runs it on the engine. Returns the exit code, never exits:
 * `main(argv)` can be called again in the same process (engine/commands/load.ts does).
 */
import { consolidateSettings, layerFromEnv, parseRunArgs, runUsage } from '../config/index.ts';
import type { RunSettings } from '../config/index.ts';
import { EngineError, ExitCode } from '../errors.ts';
import { runOnK6 } from './k6-binary.ts';
import { runLogger } from './logging.ts';
import { ProgressAwareWriter } from './progress.ts';

export interface RunIo {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Default true: Ctrl-C/SIGTERM stop the run (graceful, then hard). */
  handleSignals?: boolean;
  /** Aborting it stops the run like Ctrl-C (twice: at once). */
  signal?: AbortSignal;
}

export async function main(argv: string[], io: RunIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let parsed;
  let settings: RunSettings;
  try {
    parsed = parseRunArgs(argv);
    if (parsed.help) {
      stdout.write(runUsage());
      return ExitCode.OK;
    }
    settings = consolidateSettings(layerFromEnv(env), parsed.flags, env);
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    stderr.write(`aetos-load run: ${err.message}\n`);
    return err.exitCode;
  }
  if (settings.runner === 'k6') {
    return runOnK6({ script: parsed.script as string, flags: parsed.k6Flags, env, stderr });
  }
  // Log lines and worker output pass through this so a live progress block is never painted over.
  const errWriter = new ProgressAwareWriter(stderr);
  const { log, close } = runLogger(settings.logOutput, settings.verbose, errWriter as unknown as NodeJS.WritableStream, stdout);
  try {
    // Loaded lazily: `--help`, bad flags and `--runner k6` do not pay for the engine's start-up.
    const { runTest } = await import('./run-test.ts');
    return await runTest({
      script: parsed.script as string,
      flags: parsed.flags,
      processEnv: env,
      cwd,
      log,
      stdout,
      stderr,
      errWriter,
      handleSignals: io.handleSignals ?? true,
      signal: io.signal,
    });
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    stderr.write(`aetos-load run: ${err.message}\n`);
    return err.exitCode;
  } finally {
    close();
  }
}
