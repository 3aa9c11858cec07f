#!/usr/bin/env node
// Names the pass criteria a run crossed, for CI: reads every summary.json under the given folder
// (k6's --summary-export, which `load` writes: metrics.<name>.thresholds.<expr> is true when the
// threshold FAILED; or handleSummary data: .thresholds.<expr>.ok) and prints one GitHub error
// annotation per crossed threshold, and a plain line elsewhere. Exit 0 (the run's exit code already
// failed the job); exit 1 only when no summary is found, which is a failure of its own.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? 'results';
const files = [];
const walk = (dir) => {
  let names = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (n === 'latest') continue; // a link to a run folder already walked
    if (statSync(p).isDirectory()) walk(p);
    else if (n === 'summary.json') files.push(p);
  }
};
walk(root);
if (files.length === 0) {
  console.log(`crossed-criteria: no summary.json under ${root}: the run ended before writing one (see its log)`);
  process.exit(1);
}
const gh = process.env.GITHUB_ACTIONS === 'true';
for (const f of files) {
  const data = JSON.parse(readFileSync(f, 'utf8'));
  for (const [metric, m] of Object.entries(data.metrics ?? {})) {
    for (const [expr, t] of Object.entries(m.thresholds ?? {})) {
      const crossed = typeof t === 'boolean' ? t : t?.ok === false;
      if (!crossed) continue;
      const line = `${f}: pass criterion crossed: ${metric} ${expr}`;
      console.log(gh ? `::error title=Pass criterion crossed::${line}` : line);
    }
  }
}
