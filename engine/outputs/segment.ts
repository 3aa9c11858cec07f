/**
 * `--out segment=FILE` (or `segment=-` for one `@aetos-load-segment {…}` line on stdout): this
 * instance's mergeable result (engine/metrics/segment-result.ts) for `aetos-load merge`. Bounded in
 * size whatever the test's length — the store's aggregates, no samples; a trend's HDR buckets are
 * the bulk (a few kB to ~250 kB each) — gzip-compressed when FILE ends in .gz (≈ 2.5× smaller), and
 * written whole at the end of the run (temp file + rename).
 *
 * "The same test" is the script code plus the consolidated options, less the segment itself:
 * segments of one run share that identity and name the same sequence; the merge checks both.
 */
import { writeFileWhole } from './file-sink.ts';
import { splitSegment } from '../execution/segment.ts';
import { SEGMENT_RESULT_FORMAT, SEGMENT_RESULT_VERSION, segmentResultLogLine, serializeSegmentResult, type SegmentResult } from '../metrics/segment-result.ts';
import type { SummaryData } from '../metrics/store.ts';
import type { Output, OutputStartInfo, RunRecord } from './types.ts';
import { nodeCrypto, nodeZlib } from '../lazy-require.ts';

const sha256 = (s: string) => nodeCrypto().createHash('sha256').update(s).digest('hex');

/** JSON with object keys sorted, so equal options hash equally whatever order they were written in. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Options that change how one process reports, not the load it makes: they may differ between segments. */
const reportingOnly = ['executionSegmentSequence', 'noSummary', 'summaryTrendStats', 'summaryTimeUnit', 'noColor'];

/**
 * The test's identity: sha256 of the script code and of the options without the segment and the
 * sequence (the sequence is compared on its own, with its own message). The options are recorded
 * without the segment, as consolidated: the merge judges their thresholds.
 */
export function testIdentity(code: string, options: Readonly<Record<string, unknown>>): Omit<SegmentResult['test'], 'script'> {
  const plain = JSON.parse(JSON.stringify(options)) as Record<string, unknown>;
  delete plain.executionSegment;
  const identifying = { ...plain };
  for (const k of reportingOnly) delete identifying[k];
  const scriptSha256 = sha256(code);
  return { id: sha256(canonicalJson({ scriptSha256, options: identifying })), scriptSha256, options: plain };
}

/** `AETOS_START_AT` (epoch seconds, or an ISO time): the common start the pods were told to wait for. */
function plannedStart(env: Record<string, string | undefined>): number | undefined {
  const raw = env.AETOS_START_AT?.trim();
  if (!raw) return undefined;
  const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The segment result of a finished run (the store must have merged everything). */
export function segmentResultOf(run: RunRecord, durationMs: number, env: Record<string, string | undefined> = {}): SegmentResult {
  const seg = typeof run.options.executionSegment === 'string' ? run.options.executionSegment : undefined;
  const seq = typeof run.options.executionSegmentSequence === 'string' ? run.options.executionSegmentSequence : undefined;
  // splitSegment(…, 1) normalises both ("0.5:1" → "1/2:1", the sequence filled with 0 and 1).
  const own = seg ? (splitSegment(seg, seq, 1)[0] as { segment: string; sequence: string }) : { segment: '0:1', sequence: '0,1' };
  const start = run.startEpoch();
  const planned = plannedStart(env);
  const time: SegmentResult['time'] = start > 0 ? { start, end: start + Math.max(0, durationMs) } : null;
  if (time && planned !== undefined) {
    time.plannedStart = planned;
    time.offsetMs = start - planned;
  }
  return {
    format: SEGMENT_RESULT_FORMAT,
    version: SEGMENT_RESULT_VERSION,
    test: { ...testIdentity(run.script.code, run.options), script: run.script.path },
    segment: own.segment,
    sequence: own.sequence,
    sequenceGiven: seq !== undefined,
    time,
    metrics: run.snapshot(),
  };
}

export class SegmentOutput implements Output {
  readonly wantsSamples = false;
  readonly description: string;
  private run: RunRecord | undefined;

  /** `target`: a file path, or '-' for the log line on stdout. */
  constructor(
    private readonly target: string,
    private readonly env: Record<string, string | undefined> = {},
    private readonly stdout: { write(s: string): unknown } = process.stdout,
  ) {
    this.description = `segment (${target === '-' ? 'stdout' : target})`;
  }

  async start(info: OutputStartInfo): Promise<void> {
    if (!info.run) throw new Error('--out segment records a whole engine run; this runner does not provide one');
    this.run = info.run;
  }

  addSamples(): void {}

  async stop(data: SummaryData): Promise<void> {
    if (!this.run) return;
    const result = segmentResultOf(this.run, data.state.testRunDurationMs, this.env);
    if (this.target === '-') {
      this.stdout.write(segmentResultLogLine(result));
      return;
    }
    const text = serializeSegmentResult(result);
    writeFileWhole(this.target, this.target.endsWith('.gz') ? nodeZlib().gzipSync(text) : text);
  }
}
