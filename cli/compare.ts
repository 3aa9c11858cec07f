/**
 * `aetos-load compare <run-a> <run-b> [--fail-on RULES] [--html FILE] [--json]`: what changed
 * from run a (the baseline) to run b, per request name, with a noise-aware verdict per row
 * (report/compare.ts). Prints a table, writes an HTML page (default compare.html), and exits 0
 * when no --fail-on rule trips, 1 when one does, 2 on bad input.
 */
import path from 'node:path';
import { compareRuns, formatComparison, loadRun, parseRules, type Rule } from '../report/compare.ts';
import { loadAssets, renderPage } from '../report/html.ts';
import { writeFileWhole } from '../engine/outputs/file-sink.ts';

const usage = "usage: aetos-load compare <run-a> <run-b> [--fail-on 'p95>+20%,errors>+1pp'] [--html FILE] [--json]\n  a run is a run folder, a report.html or a summary.json; a is the baseline\n";

export async function main(argv: string[], io: { stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream; cwd?: string } = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const cwd = io.cwd ?? process.cwd();
  const runs: string[] = [];
  const rules: Rule[] = [];
  let html = 'compare.html';
  let json = false;
  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i] as string;
      if (a === '-h' || a === '--help') {
        stdout.write(usage);
        return 0;
      }
      if (a === '--fail-on' || a.startsWith('--fail-on=')) {
        const v = a === '--fail-on' ? argv[++i] : a.slice('--fail-on='.length);
        if (!v) throw new Error('--fail-on needs a rule, e.g. --fail-on "p95>+20%"');
        rules.push(...parseRules(v));
      } else if (a === '--html' || a.startsWith('--html=')) {
        const v = a === '--html' ? argv[++i] : a.slice('--html='.length);
        if (!v) throw new Error('--html needs a file name');
        html = v;
      } else if (a === '--json') json = true;
      else if (a.startsWith('-')) throw new Error(`unknown flag ${a}`);
      else runs.push(a);
    }
    if (runs.length !== 2) throw new Error(`expected two runs, got ${runs.length}`);
  } catch (err) {
    stderr.write(`aetos-load compare: ${(err as Error).message}\n${usage}`);
    return 2;
  }
  let comparison;
  try {
    const [a, b] = runs.map((r) => loadRun(path.resolve(cwd, r))) as [ReturnType<typeof loadRun>, ReturnType<typeof loadRun>];
    a.label = runs[0] as string;
    b.label = runs[1] as string;
    comparison = compareRuns(a, b, rules);
  } catch (err) {
    stderr.write(`aetos-load compare: ${(err as Error).message}\n`);
    return 2;
  }
  const page = path.resolve(cwd, html);
  writeFileWhole(page, renderPage(`aetos-load compare: ${runs[0]} → ${runs[1]}`, comparison, loadAssets()));
  stdout.write(json ? `${JSON.stringify(comparison, null, 2)}\n` : formatComparison(comparison));
  stderr.write(`compare: ${page}\n`);
  return comparison.failed ? 1 : 0;
}
