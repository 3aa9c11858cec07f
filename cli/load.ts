/**
 * `aetos-load load <name> [--profile quick|standard|nightly] [--ndjson] [--monitor] [--results DIR] [-- k6 flags]`
 * (`npm run load:<name>`): the main job end to end. Bundles scenarios/<name>.ts into
 * build/<name>.js, starts the reference target on a free loopback port when BASE_URL is unset
 * (D7), runs the bundle on the engine (or on k6 with `--runner k6`), writes a fresh run folder
 * results/<name>/<UTC time>/ (`latest` points at it; `--results DIR` writes exactly there): run.json,
 * summary.json, junit.xml, metrics.ndjson and the live monitor's report when asked (see
 * engine/outputs/run-folder.ts), stops the target and returns the run's exit code. A folder that
 * cannot be made is exit 104 before anything starts.
 */
import path from 'node:path';
import { BundleError, bundleToDir } from '../engine/build/bundle.ts';
import { checkWritable, OutputFileError } from '../engine/outputs/file-sink.ts';
import { createRunFolder, engineVersion, exitReason, gitCommit, maskCredentials, pointLatest, writeRunRecord } from '../engine/outputs/run-folder.ts';
import { listScenarios } from './build.ts';
import { spawnTarget, type SpawnedTarget } from '../wms/spawn.ts';
import { main as run } from './run.ts';

const profiles = ['quick', 'standard', 'nightly'];

interface LoadArgs {
  name: string;
  profile: string;
  ndjson: boolean;
  monitor: boolean;
  /** --dashboard: the live web dashboard (K6_WEB_DASHBOARD_PORT etc. apply). */
  dashboard: boolean;
  /** --baseline <run|latest-passing> and its --fail-on rules (default p95>+20%). */
  baseline?: string;
  failOn: string;
  /** where summary.json, junit.xml (and metrics.ndjson) go, exactly; default results/<name>/<UTC time>/ */
  resultsDir?: string;
  extra: string[];
}

function parse(argv: string[]): LoadArgs | string {
  const rest: string[] = [];
  let profile = process.env.PROFILE || 'standard';
  let ndjson = false;
  let monitor = false;
  let dashboard = false;
  let baseline: string | undefined;
  let failOn = 'p95>+20%';
  let resultsDir: string | undefined;
  const extra: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      extra.push(...argv.slice(i + 1));
      break;
    }
    if (a === '--profile') profile = argv[++i] ?? '';
    else if (a.startsWith('--profile=')) profile = a.slice('--profile='.length);
    else if (a === '--ndjson') ndjson = true;
    else if (a === '--results') resultsDir = argv[++i] ?? '';
    else if (a.startsWith('--results=')) resultsDir = a.slice('--results='.length);
    else if (a === '--monitor') monitor = true;
    else if (a === '--dashboard') dashboard = true;
    else if (a === '--baseline') baseline = argv[++i] ?? '';
    else if (a.startsWith('--baseline=')) baseline = a.slice('--baseline='.length);
    else if (a === '--fail-on') failOn = argv[++i] ?? '';
    else if (a.startsWith('--fail-on=')) failOn = a.slice('--fail-on='.length);
    else if (a.startsWith('-')) extra.push(a, ...(argv[i + 1] && !argv[i + 1]!.startsWith('-') ? [argv[++i] as string] : []));
    else rest.push(a);
  }
  if (rest.length !== 1) return 'usage: aetos-load load <scenario> [--profile quick|standard|nightly] [--ndjson] [--monitor] [--dashboard] [--baseline RUN|latest-passing [--fail-on RULES]] [--results DIR] [-- k6 flags]';
  if (!profiles.includes(profile)) return `aetos-load load: --profile must be one of ${profiles.join(', ')}, got "${profile}"`;
  if (resultsDir === '') return 'aetos-load load: --results needs a directory';
  if (baseline === '') return 'aetos-load load: --baseline needs a run folder, a report.html/summary.json or latest-passing';
  return { name: rest[0] as string, profile, ndjson, monitor, dashboard, baseline, failOn, resultsDir, extra };
}

/** Files a run may write outside the engine's outputs (report.html, …): listed in run.json when present. */
export const extraResultFiles: string[] = [];

/** The run folder: `--results DIR` exactly, else a fresh `results/<name>/<UTC time>/`. Throws naming the folder. */
function prepareResultsDir(args: LoadArgs, startedAt: Date): string {
  if (args.resultsDir) {
    checkWritable(path.join(args.resultsDir, 'run.json'));
    return args.resultsDir;
  }
  try {
    return createRunFolder('results', args.name, startedAt);
  } catch (err) {
    throw new OutputFileError(path.join('results', args.name), (err as Error).message);
  }
}

/**
 * Whatever ends the command, the embedded target ends with it: a closed stdout/stderr pipe
 * (`load … | head -5`) stops the run at once, SIGHUP stops it like Ctrl-C, and a stop signal that
 * arrives before the run has started skips the run. The returned dispose() removes the handlers.
 */
function watchForStop(): { readonly stopping: boolean; readonly signal: AbortSignal; dispose(): void } {
  let stopping = false;
  // Reaches the run even while it is still starting (before its own signal handlers exist).
  const stop = new AbortController();
  const onPipe = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') return;
    if (stopping) return;
    stopping = true;
    stop.abort();
    // The run's own Ctrl-C handling (engine/runner/signals.ts): twice = stop at once.
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGTERM', 'SIGTERM');
  };
  const onStop = () => {
    stopping = true;
  };
  const onHup = () => {
    stopping = true;
    stop.abort(); // like a first Ctrl-C: the test stops gracefully, results are written
  };
  process.stdout.on('error', onPipe);
  process.stderr.on('error', onPipe);
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  process.on('SIGHUP', onHup);
  return {
    get stopping() {
      return stopping;
    },
    signal: stop.signal,
    dispose() {
      process.off('SIGINT', onStop);
      process.off('SIGTERM', onStop);
      process.off('SIGHUP', onHup);
      // stdout/stderr keep their handlers: a late write to a closed pipe must not crash the exit
    },
  };
}

/** How `readiness` runs its scenarios in-process: against its one target, end-of-test summaries off its stdout. */
export interface LoadIo {
  /** The deployment to load (instead of BASE_URL or an embedded target). */
  baseUrl?: string;
  /** Where the end-of-test summary goes (default stdout). */
  stdout?: NodeJS.WritableStream;
}

export async function main(argv: string[], io: LoadIo = {}): Promise<number> {
  const args = parse(argv);
  if (typeof args === 'string') {
    process.stderr.write(`${args}\n`);
    return 2;
  }
  const known = (await listScenarios()).map((f) => path.basename(f, '.ts'));
  if (!known.includes(args.name)) {
    process.stderr.write(`aetos-load load: no scenario "${args.name}"; the scenarios are: ${known.join(', ')}\n`);
    return 2;
  }

  // --baseline before anything starts: a typo costs nothing, and the new run cannot be its own baseline.
  let baseline: Awaited<ReturnType<typeof resolveBaseline>>;
  try {
    baseline = await resolveBaseline(args, args.resultsDir ?? path.join('results', args.name));
  } catch (err) {
    process.stderr.write(`aetos-load load: ${(err as Error).message}\n`);
    return 2;
  }

  // The results folder comes first: when it cannot be made, nothing else starts (no target left listening).
  const startedAt = new Date();
  let dir: string;
  try {
    dir = prepareResultsDir(args, startedAt);
  } catch (err) {
    process.stderr.write(`aetos-load load: ${(err as Error).message}\n`);
    return 104;
  }

  // what ran, read once: the report and run.json both carry them (git status costs two processes)
  const commit = gitCommit();
  const version = engineVersion();
  const watch = watchForStop();
  let target: SpawnedTarget | undefined;
  let baseUrl = io.baseUrl || process.env.BASE_URL || null;
  let code = 1;
  let detail: string | undefined;
  try {
    let bundle: string;
    try {
      [bundle] = (await bundleToDir([path.join('scenarios', `${args.name}.ts`)], 'build')) as [string];
    } catch (err) {
      if (!(err instanceof BundleError)) throw err;
      process.stderr.write(`${err.message}\n`);
      detail = err.message.split('\n')[0];
      return (code = 107);
    }

    if (!baseUrl) {
      try {
        // seeding the embedded database takes more than 30 s on a loaded 2-core machine
        target = await spawnTarget({ timeoutMs: 120_000 });
      } catch (err) {
        detail = `could not start the embedded target: ${(err as Error).message.split('\n')[0]}`;
        process.stderr.write(`aetos-load load: could not start the embedded target: ${(err as Error).message}\n`);
        return (code = 1);
      }
      baseUrl = target.url;
      process.stderr.write(`target: embedded AetosWMS at ${baseUrl} (set BASE_URL to test your own deployment)\n`);
    }
    if (watch.stopping) {
      detail = 'stopped before the test started';
      return (code = 105);
    }

    const outputs = ['--summary-export', path.join(dir, 'summary.json'), '--out', `junit=${path.join(dir, 'junit.xml')}`];
    outputs.push('--out', `html=${path.join(dir, 'report.html')}`);
    if (args.dashboard) outputs.push('--out', 'web-dashboard');
    if (args.ndjson) outputs.push('--out', `json=${path.join(dir, 'metrics.ndjson')}`);
    if (args.monitor) outputs.push('--monitor', baseUrl);
    // k6/browser's relative screenshot paths land in the run folder (engine/modules/browser/settings.ts)
    const env = { ...process.env, AETOS_BROWSER_SCREENSHOTS_DIR: path.resolve(dir) };
    code = await run([...outputs, '-e', `BASE_URL=${baseUrl}`, '-e', `PROFILE=${args.profile}`, ...args.extra, bundle], { signal: watch.signal, stdout: io.stdout, env });
    // The report gets what exists only now: the monitor's alerts, the run's metadata, the baseline verdict.
    const engineCode = code;
    code = await finishReport(path.join(dir, 'report.html'), baseline, code, {
      scenario: args.name,
      profile: args.profile,
      baseUrl: maskCredentials(baseUrl),
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      exitCode: code,
      exitReason: exitReason(code),
      engineVersion: version,
      gitCommit: commit ?? undefined,
    });
    if (code !== engineCode) detail = `regressed against the baseline ${baseline?.run} beyond ${baseline?.rules.map((r) => r.source).join(', ')}`;
    return code;
  } catch (err) {
    code = 1;
    detail = `exception: ${(err as Error)?.message ?? String(err)}`;
    throw err;
  } finally {
    watch.dispose();
    await target?.stop();
    try {
      const record = writeRunRecord(
        dir,
        {
          scenario: args.name,
          profile: args.profile,
          baseUrl,
          embeddedTarget: target !== undefined,
          startedAt: startedAt.toISOString(),
          endedAt: new Date().toISOString(),
          exitCode: code,
          exitReason: exitReason(code, detail),
          engineVersion: version,
          gitCommit: commit,
          args: args.extra,
        },
        extraResultFiles,
      );
      if (!args.resultsDir) pointLatest(dir);
      process.stderr.write(`results: ${dir}/ (${record.files.join(', ')}); exit code ${code}\n`);
    } catch (err) {
      process.stderr.write(`aetos-load load: ${(err as Error).message}\n`);
    }
  }
}

/**
 * `--baseline`: the run to compare with (`latest-passing`: the newest passing run folder under the
 * scenario's results) and the --fail-on rules, checked before the run so a typo costs nothing.
 */
async function resolveBaseline(args: LoadArgs, runsDir: string) {
  if (!args.baseline) return undefined;
  const { findLatestPassing, parseRules } = await import('../report/compare.ts');
  const rules = parseRules(args.failOn);
  if (args.baseline !== 'latest-passing') {
    const { existsSync } = await import('node:fs');
    if (!existsSync(args.baseline)) throw new Error(`--baseline ${args.baseline}: no such run folder or file`);
    return { run: args.baseline, rules };
  }
  const run = findLatestPassing(runsDir);
  if (!run) process.stderr.write(`baseline: no earlier passing run under ${runsDir}/; nothing to compare this time\n`);
  return run ? { run, rules } : undefined;
}

/** report.html gets run.json, the monitor's alerts and the baseline verdict; a regression fails a passing run (exit 111). */
async function finishReport(file: string, baseline: { run: string; rules: import('../report/compare.ts').Rule[] } | undefined, code: number, fallbackMeta: import('../report/data.ts').RunMeta): Promise<number> {
  const { finishRunReport, exitAfterBaseline } = await import('../report/finish.ts');
  try {
    const { comparison } = finishRunReport({ reportFile: file, baseline: baseline?.run, rules: baseline?.rules, fallbackMeta });
    if (!comparison) return code;
    const { formatComparison } = await import('../report/compare.ts');
    process.stderr.write(`baseline: ${baseline?.run}\n${formatComparison(comparison)}`);
    return exitAfterBaseline(code, comparison);
  } catch (err) {
    process.stderr.write(`aetos-load load: could not finish ${file}: ${(err as Error).message}\n`);
    return code;
  }
}
