/**
 * The mergeable result of one execution segment (DESIGN.md D4, D11): what `--out segment=FILE`
 * writes and `aetos-load merge` reads. It holds no per-sample data, only the aggregates the store
 * merges exactly — counters and rates as counts, trends as HDR buckets (histogram.ts), gauges with
 * the time of their last value, checks and groups — plus what identifies the test and where this
 * segment sits in it and in time. Versioned: a reader refuses a version it does not know.
 *
 * Two framings of the same JSON object:
 *   - a file holding the object (`{"format":"aetos-load-segment",…}`);
 *   - one line `@aetos-load-segment {…}` in a log (`--out segment=-` prints it to stdout), so the
 *     segments of N pods can be grepped out of `kubectl logs` output mixed with anything else.
 */
import type { AggregateState } from './aggregates.ts';
import type { MetricsDelta } from './collector.ts';
import type { MetricsStore } from './store.ts';

export const SEGMENT_RESULT_FORMAT = 'aetos-load-segment';
export const SEGMENT_RESULT_VERSION = 1;
/** Starts the log framing of a segment result; the JSON object follows on the same line. */
export const SEGMENT_RESULT_MARKER = '@aetos-load-segment ';

export interface SegmentResult {
  format: typeof SEGMENT_RESULT_FORMAT;
  version: typeof SEGMENT_RESULT_VERSION;
  /** What makes segments parts of "the same test". */
  test: {
    /** sha256 of the script hash and the consolidated options without the segment and sequence. */
    id: string;
    /** The script as given on the command line (for messages). */
    script: string;
    /** sha256 of the script code the engine ran. */
    scriptSha256: string;
    /** The consolidated options without executionSegment: thresholds as written, summaryTrendStats, scenarios… */
    options: Record<string, unknown>;
  };
  /** This segment, normalised ("1/3:2/3"; "0:1" for a whole test). */
  segment: string;
  /** The full sequence it belongs to, normalised with 0 and 1 ("0,1/3,2/3,1"). */
  sequence: string;
  /** Whether the sequence was given (--execution-segment-sequence) or implied by the segment alone. */
  sequenceGiven: boolean;
  /**
   * ms since the epoch: when the scenarios started and when the run ended (after teardown, as the
   * summary's duration counts it); `offsetMs` is start − the planned common start (AETOS_START_AT)
   * when one was given. null: the scenarios never started (init or setup failed).
   */
  time: { start: number; end: number; plannedStart?: number; offsetMs?: number } | null;
  /** The whole segment's metrics as one delta (MetricsStore.snapshot()). */
  metrics: MetricsDelta;
}

/** A segment result that cannot be read: the message names the source (file, or stdin line). */
export class SegmentResultError extends Error {}

/** The file framing: one JSON object and a newline. */
export function serializeSegmentResult(r: SegmentResult): string {
  return `${JSON.stringify(r)}\n`;
}

/** The log framing: `@aetos-load-segment {…}` on one line. */
export function segmentResultLogLine(r: SegmentResult): string {
  return `${SEGMENT_RESULT_MARKER}${JSON.stringify(r)}\n`;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isStr = (x: unknown): x is string => typeof x === 'string';

function checkState(s: unknown): string | null {
  if (!isObj(s)) return 'not an object';
  switch (s.t) {
    case 'counter':
      return isNum(s.sum) && isNum(s.n) ? null : 'counter needs sum and n';
    case 'gauge':
      return ['last', 'time', 'min', 'max', 'n'].every((k) => isNum(s[k])) ? null : 'gauge needs last, time, min, max and n';
    case 'rate':
      return isNum(s.passes) && isNum(s.total) ? null : 'rate needs passes and total';
    case 'trend': {
      if (!['count', 'sum', 'min', 'max'].every((k) => isNum(s[k]))) return 'trend needs count, sum, min and max';
      for (const side of ['pos', 'neg']) {
        const b = s[side];
        if (!Array.isArray(b) || b.length % 3 !== 0 || !b.every(isNum)) return `trend ${side} must be [index, count, sum] triples`;
      }
      return null;
    }
    default:
      return `unknown metric type ${JSON.stringify(s.t)}`;
  }
}

function checkDelta(d: unknown): string | null {
  if (!isObj(d) || d.v !== 1) return 'metrics: not a v1 metrics delta';
  if (!Array.isArray(d.defs) || !d.defs.every((x) => Array.isArray(x) && isStr(x[0]) && isStr(x[1]) && isStr(x[2]))) return 'metrics.defs: expected [name, type, contains] entries';
  if (!Array.isArray(d.metrics)) return 'metrics.metrics: expected an array';
  for (const m of d.metrics) {
    if (!Array.isArray(m) || !isStr(m[0])) return 'metrics.metrics: expected [key, state] entries';
    const bad = checkState(m[1]);
    if (bad) return `metrics.metrics "${m[0]}": ${bad}`;
  }
  if (!Array.isArray(d.checks) || !d.checks.every((c) => Array.isArray(c) && isStr(c[0]) && isStr(c[1]) && isNum(c[2]) && isNum(c[3]))) {
    return 'metrics.checks: expected [group, name, passes, fails] entries';
  }
  if (!Array.isArray(d.groups) || !d.groups.every(isStr)) return 'metrics.groups: expected strings';
  return null;
}

/** Parses and checks one segment result object (JSON text). Throws SegmentResultError naming `source`. */
export function deserializeSegmentResult(json: string, source: string): SegmentResult {
  let r: unknown;
  try {
    r = JSON.parse(json);
  } catch (err) {
    throw new SegmentResultError(`${source}: not a segment result (${(err as Error).message})`);
  }
  if (!isObj(r) || r.format !== SEGMENT_RESULT_FORMAT) throw new SegmentResultError(`${source}: not a segment result (no "format": "${SEGMENT_RESULT_FORMAT}")`);
  if (r.version !== SEGMENT_RESULT_VERSION) {
    throw new SegmentResultError(`${source}: segment result version ${JSON.stringify(r.version)} is not supported (this aetos-load reads version ${SEGMENT_RESULT_VERSION})`);
  }
  const t = r.test;
  if (!isObj(t) || !isStr(t.id) || !isStr(t.script) || !isStr(t.scriptSha256) || !isObj(t.options)) throw new SegmentResultError(`${source}: "test" needs id, script, scriptSha256 and options`);
  if (!isStr(r.segment) || !isStr(r.sequence) || typeof r.sequenceGiven !== 'boolean') throw new SegmentResultError(`${source}: needs "segment", "sequence" and "sequenceGiven"`);
  if (r.time !== null && !(isObj(r.time) && isNum(r.time.start) && isNum(r.time.end) && r.time.end >= r.time.start)) {
    throw new SegmentResultError(`${source}: "time" must be null or {start, end} in ms with end ≥ start`);
  }
  const bad = checkDelta(r.metrics);
  if (bad) throw new SegmentResultError(`${source}: ${bad}`);
  return r as unknown as SegmentResult;
}

/**
 * Every segment result in a text: the text itself when it is one JSON object (a file written by
 * `--out segment=FILE`), else each line carrying the marker (anything before the marker on that
 * line — a kubectl --prefix, a timestamp — is ignored). Throws when there is none.
 */
export function readSegmentResults(text: string, source: string): SegmentResult[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return [deserializeSegmentResult(trimmed, source)];
  const out: SegmentResult[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const at = line.indexOf(SEGMENT_RESULT_MARKER);
    if (at >= 0) out.push(deserializeSegmentResult(line.slice(at + SEGMENT_RESULT_MARKER.length).trim(), `${source}:${i + 1}`));
  });
  if (out.length === 0) throw new SegmentResultError(`${source}: no segment result in it (neither a JSON object nor a line starting "${SEGMENT_RESULT_MARKER.trim()}")`);
  return out;
}

/**
 * The gauges the engine samples per instance (the VUs it runs): across segments they are shares of
 * one whole, so they add up instead of the newest value winning. Segments of one plan ramp in step,
 * so the sum of their maxima (and minima) is the whole test's, within the sampling second.
 */
const additiveGauges = new Set(['vus', 'vus_max']);

/**
 * Merges complete segments into a store (created with the test's thresholds): counts add, histograms
 * add bucket by bucket, custom gauges keep their newest value, vus/vus_max add up across segments.
 */
export function mergeSegmentResults(store: MetricsStore, results: readonly SegmentResult[]): void {
  const summed = new Map<string, AggregateState & { t: 'gauge' }>();
  for (const r of results) {
    const rest: MetricsDelta = { ...r.metrics, metrics: [] };
    for (const [key, state] of r.metrics.metrics) {
      const base = key.includes('{') ? key.slice(0, key.indexOf('{')) : key;
      if (state.t === 'gauge' && additiveGauges.has(base)) {
        const had = summed.get(key);
        if (!had) summed.set(key, { ...state });
        else {
          had.last += state.last;
          had.min += state.min;
          had.max += state.max;
          had.n += state.n;
          had.time = Math.max(had.time, state.time);
        }
      } else rest.metrics.push([key, state]);
    }
    store.merge(rest);
  }
  if (summed.size > 0) store.merge({ v: 1, defs: [], metrics: [...summed], checks: [], groups: [] });
}
