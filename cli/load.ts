/**
 * `aetos-load load <name> [--profile quick|standard|nightly] [--ndjson] [--monitor] [--results DIR] [-- k6 flags]`
 * (`npm run load:<name>`): the main job end to end. Bundles scenarios/<name>.ts into
 * build/<name>.js, starts the reference target on a free loopback port when BASE_URL is unset
 * (D7), runs the bundle on the engine (or on k6 with `--runner k6`), writes results/<name>/
 * (summary.json, junit.xml, metrics.ndjson and the live monitor's report when asked), stops the target and returns the run's
 * exit code.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { BundleError, bundleToDir } from '../engine/build/bundle.ts';
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
  /** where summary.json, junit.xml (and metrics.ndjson) go; default results/<name> */
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

export async function main(argv: string[]): Promise<number> {
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

  let bundle: string;
  try {
    [bundle] = (await bundleToDir([path.join('scenarios', `${args.name}.ts`)], 'build')) as [string];
  } catch (err) {
    if (err instanceof BundleError) {
      process.stderr.write(`${err.message}\n`);
      return 107;
    }
    throw err;
  }

  // --baseline before anything starts: a typo costs nothing, and the new run cannot be its own baseline.
  let baseline: Awaited<ReturnType<typeof resolveBaseline>>;
  try {
    baseline = await resolveBaseline(args, args.resultsDir ?? path.join('results', args.name));
  } catch (err) {
    process.stderr.write(`aetos-load load: ${(err as Error).message}\n`);
    return 2;
  }

  let target: SpawnedTarget | undefined;
  let baseUrl = process.env.BASE_URL;
  if (!baseUrl) {
    try {
      target = await spawnTarget();
    } catch (err) {
      process.stderr.write(`aetos-load load: could not start the embedded target: ${(err as Error).message}\n`);
      return 1;
    }
    baseUrl = target.url;
    process.stderr.write(`target: embedded AetosWMS at ${baseUrl} (set BASE_URL to test your own deployment)\n`);
  }

  const dir = args.resultsDir ?? path.join('results', args.name);
  await mkdir(dir, { recursive: true });
  const outputs = ['--summary-export', path.join(dir, 'summary.json'), '--out', `junit=${path.join(dir, 'junit.xml')}`];
  outputs.push('--out', `html=${path.join(dir, 'report.html')}`);
  if (args.dashboard) outputs.push('--out', 'web-dashboard');
  if (args.ndjson) outputs.push('--out', `json=${path.join(dir, 'metrics.ndjson')}`);
  if (args.monitor) outputs.push('--monitor', baseUrl);
  try {
    let code = await run([...outputs, '-e', `BASE_URL=${baseUrl}`, '-e', `PROFILE=${args.profile}`, ...args.extra, bundle]);
    code = await finishReport(path.join(dir, 'report.html'), baseline, code, { scenario: args.name, profile: args.profile });
    process.stderr.write(`results: ${dir}/ (summary.json, junit.xml, report.html${args.ndjson ? ', metrics.ndjson' : ''}); exit code ${code}\n`);
    return code;
  } finally {
    await target?.stop();
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
async function finishReport(file: string, baseline: { run: string; rules: import('../report/compare.ts').Rule[] } | undefined, code: number, fallbackMeta: { scenario: string; profile: string }): Promise<number> {
  const { finishRunReport, BASELINE_REGRESSION_EXIT } = await import('../report/finish.ts');
  try {
    const { comparison } = finishRunReport({ reportFile: file, baseline: baseline?.run, rules: baseline?.rules, fallbackMeta });
    if (!comparison) return code;
    const { formatComparison } = await import('../report/compare.ts');
    process.stderr.write(`baseline: ${baseline?.run}\n${formatComparison(comparison)}`);
    return comparison.failed && code === 0 ? BASELINE_REGRESSION_EXIT : code;
  } catch (err) {
    process.stderr.write(`aetos-load load: could not finish ${file}: ${(err as Error).message}\n`);
    return code;
  }
}
