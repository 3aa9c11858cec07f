/**
 * `aetos-load run [flags] <script>`: parses flags and K6_* env vars, then either hands the test to
 * a k6 binary (`--runner k6`, D8) or runs it on the engine. Returns the exit code, never exits:
 * `main(argv)` can be called again in the same process (cli/load.ts does).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { consolidateSettings, layerFromEnv, parseRunArgs, runUsage } from '../engine/config/index.ts';
import type { RunSettings } from '../engine/config/index.ts';
import { ConfigError, EngineError, ExitCode, ScriptLoadError } from '../engine/errors.ts';
import { resolveSecretSourceFlags } from '../engine/modules/secrets.ts';
import { runOnK6 } from '../engine/runner/k6-binary.ts';
import { logExtrasOf, runLogger } from '../engine/runner/logging.ts';
import { startPrewarmed } from '../engine/runner/prewarm.ts';
import { workerStartOf } from '../engine/runner/worker-start.ts';
import { runWorkerMemoryMb } from '../engine/config/threads.ts';
import { redactedWrites, type Logger } from '../engine/log.ts';
import { ProgressAwareWriter } from '../engine/runner/progress.ts';

/**
 * `--monitor URL`: the guide's live monitor (ops/monitor) polls the deployment while the test runs;
 * alerts are logged as they fire, and its series and alert history are written beside the summary.
 */
async function startRunMonitor(url: string, log: Logger) {
  const { startMonitor, writeMonitorReport } = await import('../ops/monitor/index.ts');
  const handle = startMonitor({
    url,
    onAlert: (e) => log.warn(`monitor alert ${e.state}: ${e.rule}`, { metric: e.metric, value: e.value, threshold: e.threshold }),
    onWarning: (m) => log.warn(m),
  });
  return {
    async finish(dir: string, out: NodeJS.WritableStream): Promise<void> {
      const report = await handle.stop();
      const files = await writeMonitorReport(report, dir);
      out.write(`monitor: ${report.polls} polls, uptime ${report.uptimePercent.toFixed(1)} %, ${report.alerts.length} alert events; ${files.join(', ')}\n`);
    },
  };
}

async function refreshRemoteModules(script: string, env: NodeJS.ProcessEnv, cwd: string): Promise<void> {
  const { BundleError, bundleScript } = await import('../engine/build/bundle.ts');
  const { cachedFetcher, remoteSettings } = await import('../engine/build/remote-modules.ts');
  try {
    await bundleScript(script, { remote: cachedFetcher(remoteSettings(env, cwd, { refresh: true })) });
  } catch (err) {
    if (err instanceof BundleError) throw new ScriptLoadError(err.message);
    throw err;
  }
}

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
  // the run's own error lines (not logger lines) can quote a script error: secrets redacted there too
  const stderr = redactedWrites(io.stderr ?? process.stderr);
  let parsed;
  let settings: RunSettings;
  try {
    parsed = parseRunArgs(argv);
    if (parsed.help) {
      stdout.write(runUsage());
      return ExitCode.OK;
    }
    settings = consolidateSettings(layerFromEnv(env), parsed.flags, env);
    // --secret-source: checked here (a bad one is exit 104 before anything starts), file paths
    // made absolute against the working directory, and their values redacted from this thread's logs too
    try {
      parsed.flags.options.secretSource = resolveSecretSourceFlags(parsed.flags.options.secretSource, cwd);
    } catch (err) {
      throw new ConfigError('--secret-source', (err as Error).message);
    }
    if (parsed.flags.options.secretSource === undefined) delete parsed.flags.options.secretSource;
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
  let archive: { close(): Promise<void> } | undefined;
  const logExtras = logExtrasOf(settings, cwd);
  const { log, close } = runLogger(settings.logOutput, settings.verbose, errWriter as unknown as NodeJS.WritableStream, stdout, undefined, { ...logExtras, truncateConsole: true });
  // The spare thread (prewarm.ts) loads the script while this one loads the runner. Not for an
  // archive (its script is extracted first) or --no-cache (its remote modules are fetched first).
  const isArchive = /\.tar$/i.test(parsed.script as string);
  const scriptPath = path.resolve(cwd, parsed.script as string);
  if (!isArchive && !settings.noCache && existsSync(scriptPath)) {
    startPrewarmed(workerStartOf(scriptPath, settings, cwd), runWorkerMemoryMb(settings));
  }
  try {
    // Loaded lazily: `--help`, bad flags and `--runner k6` do not pay for the engine's start-up.
    const { runTest } = await import('../engine/runner/run-test.ts');
    // `run archive.tar`: k6's archive, extracted and bundled with no network (engine/build/archive.ts);
    // its options replace the script's, its env comes before -e flags
    let script = parsed.script as string;
    let scriptOptions: Record<string, unknown> | undefined;
    if (isArchive) {
      const { ArchiveError, openArchive } = await import('../engine/build/archive.ts');
      const opened = await openArchive(path.resolve(cwd, script)).catch((err: unknown) => {
        throw err instanceof ArchiveError ? new ScriptLoadError(err.message) : err;
      });
      archive = opened;
      script = opened.scriptPath;
      scriptOptions = opened.metadata.options ?? {};
      parsed.flags.settings.env = { ...(opened.metadata.env ?? {}), ...(parsed.flags.settings.env ?? {}) };
    } else if (settings.noCache) {
      // --no-cache: fetch the script's remote modules afresh once; the loads that follow (main thread
      // and workers) then find them fresh in the module cache
      await refreshRemoteModules(path.resolve(cwd, script), env, cwd);
    }
    // --out html / web-dashboard and K6_WEB_DASHBOARD live in report/; the engine only has the registry.
    (await import('../report/outputs.ts')).registerReportOutputs();
    const monitor = settings.monitor ? await startRunMonitor(settings.monitor, log) : undefined;
    try {
      return await runTest({
      script,
      scriptOptions,
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
    } finally {
      if (monitor) await monitor.finish(path.resolve(cwd, settings.summaryExport ? path.dirname(settings.summaryExport) : 'results'), stderr);
    }
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    stderr.write(`aetos-load run: ${err.message}\n`);
    return err.exitCode;
  } finally {
    close();
    await archive?.close();
  }
}
