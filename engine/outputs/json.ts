/**
 * `--out json=file`: k6's NDJSON stream. A "Metric" line the first time a metric is seen, then one
 * "Point" line per sample (time in RFC 3339, value, tags), as k6 documents in "JSON" output.
 */
import type { Sample } from '../metrics/collector.ts';
import { BufferedFile } from './file-sink.ts';
import type { Output, OutputStartInfo } from './types.ts';

export class JsonOutput implements Output {
  readonly wantsSamples = true;
  readonly description: string;
  private file: BufferedFile | null = null;
  private info: OutputStartInfo | null = null;
  private readonly declared = new Set<string>();

  constructor(readonly path: string) {
    this.description = `json (${path})`;
  }

  async start(info: OutputStartInfo): Promise<void> {
    this.info = info;
    this.file = new BufferedFile(this.path);
  }

  private metricLine(name: string): string {
    const def = this.info?.definition(name);
    const sets = (this.info?.thresholds ?? []).filter((s) => s.selector.metric === name);
    const own = sets.filter((s) => !s.selector.tags).flatMap((s) => s.thresholds.map((t) => t.source));
    const subs = sets
      .filter((s) => s.selector.tags)
      .map((s) => ({ name: s.selector.name, suffix: s.selector.name.slice(name.length + 1, -1), tags: s.selector.tags }));
    return `${JSON.stringify({
      type: 'Metric',
      data: { name, type: def?.type ?? 'counter', contains: def?.contains ?? 'default', thresholds: own, submetrics: subs.length ? subs : null },
      metric: name,
    })}\n`;
  }

  addSamples(samples: readonly Sample[]): void {
    const file = this.file;
    if (!file) return;
    for (const s of samples) {
      if (!this.declared.has(s.metric)) {
        this.declared.add(s.metric);
        file.write(this.metricLine(s.metric));
      }
      const tags = Object.keys(s.tags).length ? s.tags : null;
      file.write(`{"metric":${JSON.stringify(s.metric)},"type":"Point","data":{"time":"${new Date(s.time).toISOString()}","value":${Number.isFinite(s.value) ? s.value : 0},"tags":${JSON.stringify(tags)}}}\n`);
    }
  }

  async stop(): Promise<void> {
    await this.file?.close();
    this.file = null;
  }
}
