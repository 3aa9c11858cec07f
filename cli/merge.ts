/**
 * `aetos-load merge [flags] FILE… | -`: combines the segment results of one test (`run
 * --execution-segment … --out segment=FILE`, one per pod or process) into the result one run of the
 * whole test would have given: k6's end-of-test summary, `--summary-export`, `--out junit=…`,
 * the Markdown job summary ($GITHUB_STEP_SUMMARY), `--out segment=…` (the merged result, itself
 * mergeable), every threshold judged over the whole test, and the exit code of a run (99 when a
 * threshold is crossed). handleSummary is not re-run (it is script code; the merge runs none).
 *
 * `-` reads stdin: segment results framed as `@aetos-load-segment {…}` lines, anywhere in a log
 * (`kubectl logs -l job-name=… --tail=-1 | aetos-load merge -`).
 *
 * A set that is not exactly one whole test is refused with one line naming the problem: segments
 * of different tests, different sequences, duplicate, overlapping or missing segments, or a segment
 * whose scenarios never started. Exit codes: 0, 99 (thresholds crossed), 1 (refused or unreadable
 * input, an output that cannot be written), 2 (usage).
 */
import { readFileSync } from 'node:fs';
import { writeFileWhole } from '../engine/outputs/file-sink.ts';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { EngineError } from '../engine/errors.ts';
import {
  crossedThresholdsMessage,
  mergeSegmentResults,
  MetricsStore,
  readSegmentResults,
  SegmentResultError,
  serializeSegmentResult,
  validateSummaryTrendStats,
  type SegmentResult,
} from '../engine/metrics/index.ts';
import { createOutputs, OutputSet } from '../engine/outputs/index.ts';
import { runLogger } from '../engine/runner/logging.ts';
import { produceSummary } from '../engine/summary/index.ts';

const usage = `usage: aetos-load merge [flags] FILE… | -

Combines the segment results of one test (run --execution-segment … --out segment=FILE) into the
summary, outputs, threshold verdict and exit code of one run of the whole test. "-" reads
@aetos-load-segment lines from stdin (e.g. kubectl logs -l job-name=NAME --tail=-1 | aetos-load merge -).

flags:
  --summary-export FILE        k6's summary export of the whole test
  -o, --out TYPE=FILE          junit=FILE, segment=FILE (the merged result); json/csv need samples, which segments do not keep
  --summary-mode MODE          compact (default), full, disabled
  --summary-trend-stats LIST   e.g. "avg,p(95),p(99)" (default: the test's options)
  --no-summary                 no end-of-test summary
  --no-color                   no colours
  -q, --quiet                  no merge line on stderr
`;

export interface MergeIo {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/** A segment result and where it came from (for messages). */
interface Part {
  r: SegmentResult;
  source: string;
}

class Refused extends Error {}

/** "n" or "n/d" (normalised segment points) as an exact fraction. */
function point(text: string): { n: bigint; d: bigint } {
  const [n, d = '1'] = text.split('/');
  return { n: BigInt(n as string), d: BigInt(d) };
}
function cmpPoint(a: string, b: string): number {
  const x = point(a);
  const y = point(b);
  const l = x.n * y.d;
  const r = y.n * x.d;
  return l < r ? -1 : l > r ? 1 : 0;
}
const bounds = (segment: string) => segment.split(':') as [string, string];

/** The first top-level option whose value differs, for the "different tests" message. */
function firstDifference(a: Record<string, unknown>, b: Record<string, unknown>): string | undefined {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => k !== 'executionSegmentSequence').sort();
  return keys.find((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

/** Throws Refused with one line unless the parts are exactly the segments of one whole test. */
export function checkCompleteSet(parts: readonly Part[]): void {
  const first = parts[0] as Part;
  for (const p of parts) {
    if (p.r.test.id === first.r.test.id) continue;
    const why =
      p.r.test.scriptSha256 !== first.r.test.scriptSha256
        ? 'their scripts differ'
        : `their options differ (${firstDifference(first.r.test.options, p.r.test.options) ?? 'see test.options'})`;
    throw new Refused(`${first.source} (${first.r.test.script}) and ${p.source} (${p.r.test.script}) are segments of different tests: ${why}`);
  }
  const sorted = [...parts].sort((a, b) => cmpPoint(bounds(a.r.segment)[0], bounds(b.r.segment)[0]) || cmpPoint(bounds(a.r.segment)[1], bounds(b.r.segment)[1]));
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as Part;
    const cur = sorted[i] as Part;
    if (prev.r.segment === cur.r.segment) throw new Refused(`segment ${cur.r.segment} is there twice: ${prev.source} and ${cur.source}`);
    if (cmpPoint(bounds(cur.r.segment)[0], bounds(prev.r.segment)[1]) < 0) {
      throw new Refused(`segments ${prev.r.segment} (${prev.source}) and ${cur.r.segment} (${cur.source}) overlap`);
    }
  }
  for (const p of parts) {
    if (p.r.sequence !== first.r.sequence) {
      throw new Refused(
        `${first.source} was run with the sequence ${first.r.sequence} and ${p.source} with ${p.r.sequence}: segments add up to the whole test only within one sequence (give every instance the same --execution-segment-sequence)`,
      );
    }
  }
  const points = first.r.sequence.split(',');
  const present = new Set(parts.map((p) => p.r.segment));
  const missing = points.slice(1).map((to, i) => `${points[i]}:${to}`).filter((s) => !present.has(s));
  if (missing.length > 0) {
    throw new Refused(`missing segment${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of the sequence ${first.r.sequence} (have ${[...present].join(', ')})`);
  }
  const notStarted = parts.find((p) => p.r.time === null);
  if (notStarted) throw new Refused(`segment ${notStarted.r.segment} (${notStarted.source}) never started its scenarios (its run ended in init or setup): the whole test did not run`);
}

/** A segment result file, gunzipped when it is gzip (`--out segment=FILE.gz`). */
function readText(file: string): string {
  const buf = readFileSync(file);
  return (buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf).toString('utf8');
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function main(argv: string[], io: MergeIo = {}): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const env = io.env ?? process.env;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'summary-export': { type: 'string' },
        out: { type: 'string', short: 'o', multiple: true },
        'summary-mode': { type: 'string' },
        'summary-trend-stats': { type: 'string' },
        'no-summary': { type: 'boolean' },
        'no-color': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    stderr.write(`aetos-load merge: ${(err as Error).message}\n`);
    return 2;
  }
  const flags = args.values;
  if (flags.help) {
    stdout.write(usage);
    return 0;
  }
  if (args.positionals.length === 0) {
    stderr.write(`aetos-load merge: give the segment result files, or - for stdin\n${usage}`);
    return 2;
  }
  const outSpecs = flags.out ?? [];
  const sampleOut = outSpecs.find((s) => /^(json|csv)(=|$)/.test(s));
  if (sampleOut) {
    stderr.write(`aetos-load merge: --out ${sampleOut}: segment results keep no samples, so json and csv cannot be written after the fact (use them on each segment's run)\n`);
    return 2;
  }
  // --out html=FILE: the report of the whole test (its verdict and end-of-test numbers; a segment
  // result keeps no samples, so no charts over time)
  (await import('../report/outputs.ts')).registerReportOutputs();
  let outputs: OutputSet;
  try {
    outputs = new OutputSet(createOutputs(outSpecs.filter((s) => !s.startsWith('segment=')), { cwd, summaryExport: flags['summary-export'], env }));
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    stderr.write(`aetos-load merge: ${err.message}\n`);
    return 2;
  }
  let trendStats: string[] | undefined;
  try {
    trendStats = flags['summary-trend-stats'] ? validateSummaryTrendStats(flags['summary-trend-stats'].split(',').map((s) => s.trim())) : undefined;
  } catch (err) {
    stderr.write(`aetos-load merge: --summary-trend-stats: ${(err as Error).message}\n`);
    return 2;
  }

  // --- read and check -------------------------------------------------------------------------
  const parts: Part[] = [];
  try {
    for (const arg of args.positionals) {
      const source = arg === '-' ? 'stdin' : arg;
      let text: string;
      try {
        text = arg === '-' ? await readAll(io.stdin ?? process.stdin) : readText(path.resolve(cwd, arg));
      } catch (err) {
        throw new Refused(`${source}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      for (const r of readSegmentResults(text, source)) parts.push({ r, source });
    }
    checkCompleteSet(parts);
  } catch (err) {
    if (!(err instanceof Refused || err instanceof SegmentResultError)) throw err;
    stderr.write(`aetos-load merge: refused: ${err.message}\n`);
    return 1;
  }

  // --- merge ----------------------------------------------------------------------------------
  const test = (parts[0] as Part).r.test;
  const options = test.options;
  const start = Math.min(...parts.map((p) => (p.r.time as { start: number }).start));
  const end = Math.max(...parts.map((p) => (p.r.time as { end: number }).end));
  const durationMs = end - start;
  const { log, close } = runLogger('stderr', false, stderr, stdout);
  try {
    const store = new MetricsStore({ thresholds: options.thresholds as Record<string, unknown> | undefined, noThresholds: options.noThresholds === true });
    mergeSegmentResults(
      store,
      parts.map((p) => p.r),
    );
    store.validate();
    if (!flags.quiet) {
      const late = parts.map((p) => ({ p, offset: (p.r.time as { start: number }).start - start })).sort((a, b) => b.offset - a.offset)[0] as { p: Part; offset: number };
      stderr.write(
        `merge: ${parts.length} segment${parts.length > 1 ? 's' : ''} of ${test.script} (sequence ${(parts[0] as Part).r.sequence}), started within ${seconds(late.offset)} of each other, ${seconds(durationMs)} in all\n`,
      );
      // Segments that did not overlap in time never made the planned load together.
      if (late.offset > 5000) log.warn(`segment ${late.p.r.segment} started ${seconds(late.offset)} after the first: the whole planned load never ran at once`);
    }
    const evaluation = store.evaluateThresholds(durationMs);
    if (evaluation.crossed.length > 0) log.error(crossedThresholdsMessage(evaluation));
    const stdoutTty = (stdout as NodeJS.WriteStream).isTTY === true;
    const data = store.summaryData({
      testRunDurationMs: durationMs,
      summaryTrendStats: trendStats ?? (Array.isArray(options.summaryTrendStats) ? (options.summaryTrendStats as string[]) : undefined),
      summaryTimeUnit: typeof options.summaryTimeUnit === 'string' ? options.summaryTimeUnit : undefined,
      noColor: flags['no-color'] === true,
      isStdOutTTY: stdoutTty,
      isStdErrTTY: (stderr as NodeJS.WriteStream).isTTY === true,
    });

    // --- outputs ------------------------------------------------------------------------------
    const segmentOut = outSpecs.filter((s) => s.startsWith('segment=')).map((s) => s.slice('segment='.length));
    let failed = false;
    for (const file of segmentOut) {
      const merged: SegmentResult = { ...(parts[0] as Part).r, segment: '0:1', sequence: '0,1', sequenceGiven: false, time: { start, end }, metrics: store.snapshot() };
      try {
        writeFileWhole(path.resolve(cwd, file), serializeSegmentResult(merged));
      } catch (err) {
        log.error(`writing ${file} failed: ${(err as Error).message}`);
        failed = true;
      }
    }
    try {
      await outputs.start({ definition: (n) => store.definition(n), thresholds: store.thresholdSets() });
      await outputs.stop(data);
    } catch (err) {
      log.error(`writing outputs failed: ${(err as Error).message}`);
      failed = true;
    }
    await produceSummary({
      data,
      enableColors: flags['no-color'] !== true && stdoutTty,
      summaryMode: flags['no-summary'] ? 'disabled' : flags['summary-mode'],
      log,
      stdout,
      stderr,
      cwd,
    });
    if (evaluation.crossed.length > 0) return 99;
    return failed ? 1 : 0;
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    stderr.write(`aetos-load merge: ${err.message}\n`);
    return 1;
  } finally {
    close();
  }
}
