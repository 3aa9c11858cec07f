/**
 * `aetos-load inspect [run flags] <script|archive.tar>`: prints the consolidated options as JSON, as
 * `k6 inspect` does: the script's `options` (or an archive's), then K6_* env vars, then flags, with
 * `scenarios` derived from the shortcuts (vus, duration, iterations, stages) as the run would. The
 * init code runs once to read `options`; no test runs.
 */
import path from 'node:path';
import { parseRunArgs } from '../engine/config/index.ts';
import { EngineError, ScriptLoadError } from '../engine/errors.ts';

const usage = `usage: aetos-load inspect [run flags] <script.js|script.ts|archive.tar>

Prints the options the run would use, as JSON (script < K6_* env < flags).
`;

export async function main(argv: string[], io: { env?: NodeJS.ProcessEnv; cwd?: string; stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): Promise<number> {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let archive: { close(): Promise<void> } | undefined;
  try {
    const parsed = parseRunArgs(argv);
    if (parsed.help) {
      stdout.write(usage);
      return 0;
    }
    const { runLogger } = await import('../engine/runner/logging.ts');
    const { readScriptOptions } = await import('../engine/runner/script-options.ts');
    let scriptPath = path.resolve(cwd, parsed.script as string);
    let scriptOptions: Record<string, unknown> | undefined;
    if (/\.tar$/i.test(scriptPath)) {
      const { ArchiveError, openArchive } = await import('../engine/build/archive.ts');
      const opened = await openArchive(scriptPath).catch((err: unknown) => {
        throw err instanceof ArchiveError ? new ScriptLoadError(err.message) : err;
      });
      archive = opened;
      scriptPath = opened.scriptPath;
      scriptOptions = opened.metadata.options ?? {};
      parsed.flags.settings.env = { ...(opened.metadata.env ?? {}), ...(parsed.flags.settings.env ?? {}) };
    }
    const { log, close } = runLogger('stderr', false, stderr, stdout);
    try {
      const { options } = await readScriptOptions({ scriptPath, flags: parsed.flags, processEnv: env, cwd, log, scriptOptions });
      // --secret-source is not a k6 option (k6 inspect does not show it) and a mock source holds the secrets themselves
      const { secretSource: _secrets, ...shown } = options;
      stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    } finally {
      close();
    }
    return 0;
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    stderr.write(`aetos-load inspect: ${err.message}\n`);
    return err.exitCode;
  } finally {
    await archive?.close();
  }
}
