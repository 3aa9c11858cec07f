/**
 * Builds the run's outputs from `--out` specs (json=…, csv=…, junit=…), `--summary-export` and
 * $GITHUB_STEP_SUMMARY, and drives them together. An unknown output type, or a file that cannot be
 * written (checked here, before the test starts), is a ConfigError (104).
 */
import { resolve } from 'node:path';
import { webDashboardFromEnv } from '../config/web-dashboard.ts';
import { ConfigError, EngineError, ExitCode } from '../errors.ts';
import type { Sample } from '../metrics/collector.ts';
import type { TimelineDelta } from '../metrics/timeline.ts';
import type { SummaryData } from '../metrics/store.ts';
import { checkWritable } from './file-sink.ts';
import { CsvOutput, csvTimeFormats, type CsvTimeFormat } from './csv.ts';
import { createLogger, type Logger } from '../log.ts';
import { influxConfig, InfluxDbOutput } from './influxdb.ts';
import { PrometheusRwOutput, prometheusRwConfig } from './prometheus-rw.ts';
import { JsonOutput } from './json.ts';
import { JunitOutput } from './junit.ts';
import { MarkdownOutput } from './markdown.ts';
import { SegmentOutput } from './segment.ts';
import { SummaryExportOutput } from './summary-export.ts';
import type { Output, OutputStartInfo } from './types.ts';

export type { Output, OutputStartInfo } from './types.ts';
export { renderJunit } from './junit.ts';
export { renderSummaryExport } from './summary-export.ts';
export { renderMarkdown } from './markdown.ts';
export { csvColumns } from './csv.ts';
export { SegmentOutput, segmentResultOf, testIdentity } from './segment.ts';

export const outputTypes = ['json', 'csv', 'junit', 'segment', 'experimental-prometheus-rw', 'influxdb'] as const;
/** Outputs that send to a server (settings from the environment); the others write a file. */
const remoteTypes = ['experimental-prometheus-rw', 'influxdb'];

/**
 * Output types defined outside engine/ (report/ registers html and web-dashboard; cli/run.ts calls
 * its registerReportOutputs()), so the engine imports no renderer. `arg` is what follows `type=`
 * ('' when nothing does); undefined when K6_WEB_DASHBOARD / K6_WEB_DASHBOARD_EXPORT asked for it.
 */
export interface OutputFactoryContext {
  cwd: string;
  env: Record<string, string | undefined>;
  spec: string;
}
export type OutputFactory = (arg: string | undefined, ctx: OutputFactoryContext) => Output;
const registered = new Map<string, OutputFactory>();
export function registerOutputType(type: string, factory: OutputFactory): void {
  registered.set(type, factory);
}

export interface CreateOutputsOptions {
  /** Relative paths resolve against this. */
  cwd: string;
  /** `--summary-export` path. */
  summaryExport?: string;
  /** Environment (GITHUB_STEP_SUMMARY). */
  env?: Record<string, string | undefined>;
  /** For remote outputs' one-time errors and drop counts (default: stderr). */
  log?: Logger;
}

function csvOutput(arg: string, cwd: string, spec: string): CsvOutput {
  if (!arg.includes('=')) return new CsvOutput(resolve(cwd, arg));
  let file = '';
  let format: CsvTimeFormat = 'unix';
  for (const part of arg.split(',')) {
    const [k, v = ''] = part.split('=', 2) as [string, string?];
    if (k === 'fileName' || k === 'file') file = v;
    else if (k === 'timeFormat') {
      if (!(csvTimeFormats as readonly string[]).includes(v)) {
        throw new ConfigError('out', `"${spec}": unknown csv timeFormat "${v}" (use ${csvTimeFormats.join(', ')})`);
      }
      format = v as CsvTimeFormat;
    } else throw new ConfigError('out', `"${spec}": unknown csv option "${k}" (fileName, timeFormat)`);
  }
  if (!file) throw new ConfigError('out', `"${spec}": csv needs a file name, e.g. --out csv=results.csv`);
  return new CsvOutput(resolve(cwd, file), format);
}

/** The outputs for a run. Throws ConfigError for an unknown type or a missing file name. */
export function createOutputs(specs: readonly string[], opts: CreateOutputsOptions): Output[] {
  const outputs: Output[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const type = (eq === -1 ? spec : spec.slice(0, eq)).trim();
    const arg = eq === -1 ? '' : spec.slice(eq + 1).trim();
    const factory = registered.get(type);
    if (factory) {
      outputs.push(factory(arg, { cwd: opts.cwd, env: opts.env ?? {}, spec }));
      continue;
    }
    if (!(outputTypes as readonly string[]).includes(type)) {
      throw new ConfigError('out', `invalid output type '${type}', available types are: ${[...outputTypes, ...registered.keys()].join(', ')}`);
    }
    if (type === 'experimental-prometheus-rw') outputs.push(new PrometheusRwOutput(prometheusRwConfig(opts.env ?? {}), opts.log ?? createLogger()));
    if (type === 'influxdb') outputs.push(new InfluxDbOutput(influxConfig(arg, opts.env ?? {}), opts.log ?? createLogger()));
    if (remoteTypes.includes(type)) continue;
    if (!arg) throw new ConfigError('out', `"${spec}": ${type} needs a file name, e.g. --out ${type}=results.${type === 'junit' ? 'xml' : type === 'segment' ? 'json' : type}`);
    if (type === 'json') outputs.push(new JsonOutput(resolve(opts.cwd, arg)));
    else if (type === 'csv') outputs.push(csvOutput(arg, opts.cwd, spec));
    else if (type === 'segment') outputs.push(new SegmentOutput(arg === '-' ? '-' : resolve(opts.cwd, arg), opts.env ?? {}));
    else outputs.push(new JunitOutput(resolve(opts.cwd, arg)));
  }
  const dashboard = webDashboardFromEnv(opts.env);
  if ((dashboard.enabled || dashboard.export) && !specs.some((s) => s.split('=')[0]?.trim() === 'web-dashboard')) {
    const factory = registered.get('web-dashboard');
    if (!factory) throw new ConfigError('K6_WEB_DASHBOARD', 'the web dashboard is not available here (report/ outputs are not registered)');
    outputs.push(factory(undefined, { cwd: opts.cwd, env: opts.env ?? {}, spec: 'K6_WEB_DASHBOARD' }));
  }
  if (opts.summaryExport) outputs.push(new SummaryExportOutput(resolve(opts.cwd, opts.summaryExport)));
  const step = opts.env?.GITHUB_STEP_SUMMARY;
  if (step) outputs.push(new MarkdownOutput(step));
  checkOutputPaths(outputs);
  return outputs;
}

/**
 * Before the test starts, every file an output will write must be writable: otherwise one line
 * naming it and exit 104 (ConfigError), before any VU runs.
 */
export function checkOutputPaths(outputs: readonly Output[]): void {
  for (const o of outputs) {
    if (!o.path) continue;
    try {
      checkWritable(o.path);
    } catch (err) {
      const flag = o instanceof SummaryExportOutput ? 'summary-export' : 'out';
      throw new ConfigError(flag, (err as Error).message);
    }
  }
}

/** Drives several outputs as one. stop() stops every output and then reports the first failure. */
export class OutputSet {
  constructor(readonly outputs: readonly Output[]) {}
  get wantsSamples(): boolean {
    return this.outputs.some((o) => o.wantsSamples);
  }
  get wantsTimeline(): boolean {
    return this.outputs.some((o) => o.wantsTimeline === true);
  }
  async start(info: OutputStartInfo): Promise<void> {
    for (const o of this.outputs) await o.start(info);
  }
  addTimeline(timeline: TimelineDelta | undefined): void {
    if (!timeline) return;
    for (const o of this.outputs) if (o.wantsTimeline) o.addTimeline?.(timeline);
  }
  addSamples(samples: readonly Sample[] | undefined): void {
    if (!samples || samples.length === 0) return;
    for (const o of this.outputs) if (o.wantsSamples) o.addSamples(samples);
  }
  /** Stops every output; throws a ResultsWriteError (exit 103) naming every file that could not be written. */
  async stop(data: SummaryData): Promise<void> {
    const results = await Promise.allSettled(this.outputs.map((o) => o.stop(data)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw new ResultsWriteError(failed.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join('; '));
  }
}

/**
 * A result file that could not be written at the end of the run (a full disk, a folder removed
 * while the test ran): reported on stderr, and the run exits 103 even when every threshold held.
 */
export class ResultsWriteError extends EngineError {
  constructor(detail: string) {
    super(`writing results failed: ${detail}`, ExitCode.GenericEngine);
  }
}
