/**
 * `--out junit=file.xml`: a JUnit XML report for CI: one testcase per threshold (a failure element
 * when it was crossed) and one per check (a failure element when any of its runs failed).
 */
import type { SummaryData, SummaryGroup } from '../metrics/store.ts';
import { writeFileWhole } from './file-sink.ts';
import type { Output } from './types.ts';

export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    // characters XML 1.0 does not allow
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
}

interface Case {
  name: string;
  classname: string;
  failure?: string;
}

function checkCases(g: SummaryGroup): Case[] {
  const own = g.checks.map((c) => ({
    name: c.path,
    classname: 'checks',
    failure: c.fails > 0 ? `${c.fails} of ${c.passes + c.fails} runs failed` : undefined,
  }));
  return [...own, ...g.groups.flatMap(checkCases)];
}

/** The JUnit XML document for a run's summary data. */
export function renderJunit(data: SummaryData): string {
  const thresholds: Case[] = [];
  for (const [metric, m] of Object.entries(data.metrics)) {
    for (const [expr, r] of Object.entries(m.thresholds ?? {})) {
      thresholds.push({ name: `${metric} - ${expr}`, classname: 'thresholds', failure: r.ok ? undefined : `threshold ${expr} on ${metric} was crossed` });
    }
  }
  const checks = checkCases(data.root_group);
  const seconds = (data.state.testRunDurationMs / 1000).toFixed(3);
  const suite = (name: string, cases: Case[]) => {
    const failures = cases.filter((c) => c.failure).length;
    const body = cases
      .map((c) =>
        c.failure
          ? `    <testcase name="${xmlEscape(c.name)}" classname="${c.classname}">\n      <failure message="${xmlEscape(c.failure)}"/>\n    </testcase>`
          : `    <testcase name="${xmlEscape(c.name)}" classname="${c.classname}"/>`,
      )
      .join('\n');
    return `  <testsuite name="${name}" tests="${cases.length}" failures="${failures}" errors="0" time="${seconds}">\n${body}${body ? '\n' : ''}  </testsuite>`;
  };
  const total = thresholds.length + checks.length;
  const failures = [...thresholds, ...checks].filter((c) => c.failure).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="aetos-load" tests="${total}" failures="${failures}" errors="0" time="${seconds}">\n${suite('thresholds', thresholds)}\n${suite('checks', checks)}\n</testsuites>\n`;
}

export class JunitOutput implements Output {
  readonly wantsSamples = false;
  readonly description: string;
  constructor(readonly path: string) {
    this.description = `junit (${path})`;
  }
  async start(): Promise<void> {}
  addSamples(): void {}
  async stop(data: SummaryData): Promise<void> {
    writeFileWhole(this.path, renderJunit(data));
  }
}
