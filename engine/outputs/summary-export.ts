/**
 * `--summary-export file.json`: k6's legacy export format. Metrics are flat objects of their
 * values (rates as {passes, fails, value}); groups and checks are keyed by name; a threshold's
 * boolean is true when it FAILED (k6's long-standing, documented quirk, kept for compatibility).
 */
import type { SummaryData, SummaryGroup } from '../metrics/store.ts';
import { writeFileWhole } from './file-sink.ts';
import type { Output } from './types.ts';

interface LegacyGroup {
  name: string;
  path: string;
  id: string;
  groups: Record<string, LegacyGroup>;
  checks: Record<string, { name: string; path: string; id: string; passes: number; fails: number }>;
}

function legacyGroup(g: SummaryGroup): LegacyGroup {
  const groups: Record<string, LegacyGroup> = {};
  for (const sub of g.groups) groups[sub.name] = legacyGroup(sub);
  const checks: LegacyGroup['checks'] = {};
  for (const c of g.checks) checks[c.name] = { ...c };
  return { name: g.name, path: g.path, id: g.id, groups, checks };
}

export function renderSummaryExport(data: SummaryData): Record<string, unknown> {
  const metrics: Record<string, Record<string, unknown>> = {};
  for (const [name, m] of Object.entries(data.metrics)) {
    const out: Record<string, unknown> =
      m.type === 'rate' ? { passes: m.values.passes ?? 0, fails: m.values.fails ?? 0, value: m.values.rate ?? 0 } : { ...m.values };
    if (m.thresholds) {
      const th: Record<string, boolean> = {};
      for (const [expr, r] of Object.entries(m.thresholds)) th[expr] = !r.ok;
      out.thresholds = th;
    }
    metrics[name] = out;
  }
  return { root_group: legacyGroup(data.root_group), metrics };
}

export class SummaryExportOutput implements Output {
  readonly wantsSamples = false;
  readonly description: string;
  constructor(readonly path: string) {
    this.description = `summary-export (${path})`;
  }
  async start(): Promise<void> {}
  addSamples(): void {}
  async stop(data: SummaryData): Promise<void> {
    writeFileWhole(this.path, `${JSON.stringify(renderSummaryExport(data), null, 4)}\n`);
  }
}
