/**
 * `--out csv=file` (or `csv=fileName=…,timeFormat=unix|unix_milli|unix_micro|unix_nano|rfc3339`):
 * k6's CSV columns, one row per sample; tags without a column go to extra_tags as k=v&k2=v2.
 */
import type { Sample } from '../metrics/collector.ts';
import { BufferedFile } from './file-sink.ts';
import type { Output } from './types.ts';

export const csvColumns = [
  'metric_name',
  'timestamp',
  'metric_value',
  'check',
  'error',
  'error_code',
  'expected_response',
  'group',
  'method',
  'name',
  'proto',
  'scenario',
  'service',
  'status',
  'subproto',
  'tls_version',
  'url',
  'extra_tags',
  'metadata',
] as const;

const tagColumns = csvColumns.slice(3, 17) as readonly string[];
const tagColumnSet = new Set(tagColumns);
export const csvTimeFormats = ['unix', 'unix_milli', 'unix_micro', 'unix_nano', 'rfc3339'] as const;
export type CsvTimeFormat = (typeof csvTimeFormats)[number];

function cell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function timestamp(ms: number, format: CsvTimeFormat): string {
  switch (format) {
    case 'unix':
      return String(Math.floor(ms / 1000));
    case 'unix_milli':
      return String(Math.floor(ms));
    case 'unix_micro':
      return String(Math.floor(ms * 1000));
    case 'unix_nano':
      return (BigInt(Math.floor(ms * 1000)) * 1000n).toString();
    case 'rfc3339':
      return new Date(ms).toISOString();
  }
}

export class CsvOutput implements Output {
  readonly wantsSamples = true;
  readonly description: string;
  private file: BufferedFile | null = null;

  constructor(
    readonly path: string,
    private readonly timeFormat: CsvTimeFormat = 'unix',
  ) {
    this.description = `csv (${path})`;
  }

  async start(): Promise<void> {
    this.file = new BufferedFile(this.path);
    this.file.write(`${csvColumns.join(',')}\n`);
  }

  addSamples(samples: readonly Sample[]): void {
    const file = this.file;
    if (!file) return;
    for (const s of samples) {
      const row: string[] = [cell(s.metric), timestamp(s.time, this.timeFormat), s.value.toFixed(6)];
      for (const c of tagColumns) row.push(cell(s.tags[c] ?? ''));
      const extra: string[] = [];
      for (const [k, v] of Object.entries(s.tags)) if (!tagColumnSet.has(k)) extra.push(`${k}=${v}`);
      row.push(cell(extra.join('&')), '');
      file.write(`${row.join(',')}\n`);
    }
  }

  async stop(): Promise<void> {
    await this.file?.close();
    this.file = null;
  }
}
