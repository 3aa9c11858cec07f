/**
 * The end of a run's reporting, as k6 does it: call the script's handleSummary(data) when it has
 * one and write what it returns ('stdout', 'stderr', or a file path relative to the working
 * directory, folders created, each written whole: engine/outputs/file-sink.ts); otherwise print the default text summary. If handleSummary throws
 * or returns something unusable, the error is logged and the default summary still prints.
 */
import { resolve } from 'node:path';
import type { Logger } from '../log.ts';
import type { SummaryData } from '../metrics/store.ts';
import { OutputFileError, writeFileWhole } from '../outputs/file-sink.ts';
import { renderTextSummary } from './text.ts';

export interface SummaryStreams {
  stdout: { write(chunk: string | Uint8Array): unknown };
  stderr: { write(chunk: string | Uint8Array): unknown };
  /** Relative handleSummary paths resolve against this. */
  cwd: string;
}

export interface ProduceSummaryOptions extends SummaryStreams {
  data: SummaryData;
  /** The script's handleSummary (called with a copy of data); undefined when it has none. */
  handleSummary?: (data: unknown) => unknown;
  enableColors?: boolean;
  /** k6's --summary-mode: compact (default), full, disabled (no default summary). */
  summaryMode?: string;
  log?: Logger;
}

function toBytes(value: unknown): string | Uint8Array | null {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return null;
}

/**
 * Writes a handleSummary result map. Throws an Error listing every key that could not be written
 * (after writing all the others).
 */
export function writeSummaryResult(result: Record<string, unknown>, io: SummaryStreams): void {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(result)) {
    const bytes = toBytes(value);
    if (bytes === null) {
      problems.push(`handleSummary() returned a ${value === null ? 'null' : typeof value} for "${key}"; only strings and ArrayBuffers can be written`);
      continue;
    }
    if (key === 'stdout') io.stdout.write(bytes);
    else if (key === 'stderr') io.stderr.write(bytes);
    else {
      const path = resolve(io.cwd, key);
      try {
        writeFileWhole(path, bytes);
      } catch (err) {
        problems.push(`could not write the summary to ${path}: ${err instanceof OutputFileError ? err.reason : (err as Error).message}`);
      }
    }
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
}

/**
 * Produces the end-of-test summary: handleSummary's outputs or the default text summary. Never
 * throws for a script error (logged, default summary printed); returns false when something the
 * script asked for could not be written.
 */
export async function produceSummary(o: ProduceSummaryOptions): Promise<boolean> {
  const mode = o.summaryMode === 'full' ? 'full' : 'compact';
  const printDefault = () => {
    if (o.summaryMode === 'disabled') return;
    o.stdout.write(`\n${renderTextSummary(o.data, { enableColors: o.enableColors, mode })}`);
  };
  if (!o.handleSummary) {
    printDefault();
    return true;
  }
  let result: unknown;
  try {
    result = await o.handleSummary(structuredClone(o.data));
  } catch (err) {
    const msg = err instanceof Error ? (err.stack ?? err.message) : String(err);
    o.log?.error(`handleSummary() failed with error "${msg}", falling back to the default summary`);
    if (!o.log) o.stderr.write(`handleSummary() failed with error "${msg}", falling back to the default summary\n`);
    printDefault();
    return true;
  }
  if (result === undefined || result === null) return true;
  if (typeof result !== 'object' || Array.isArray(result)) {
    o.log?.error('handleSummary() must return an object mapping "stdout", "stderr" or file paths to their content; printing the default summary');
    printDefault();
    return true;
  }
  try {
    writeSummaryResult(result as Record<string, unknown>, o);
    return true;
  } catch (err) {
    o.log?.error((err as Error).message);
    if (!o.log) o.stderr.write(`${(err as Error).message}\n`);
    return false;
  }
}
