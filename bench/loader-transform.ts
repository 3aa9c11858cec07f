/**
 * Load-time cost of the loader's blocking-call pass on a large synthetic script: a 3,000-deep
 * chain of helpers (each calling the next, the last one sleeps) plus 2,000 unrelated functions
 * (~470 KB), the worst case for propagation.
 *   node --import tsx bench/loader-transform.ts [depth] [unrelated]
 */
import './args.ts'; // first: --help prints this file's opening comment before anything loads
import { transformScript } from '../engine/loader/transform.ts';

const depth = Number(process.argv[2] ?? 3000);
const unrelated = Number(process.argv[3] ?? 2000);
const lines = ["import { sleep } from 'k6';"];
for (let i = 0; i < depth - 1; i++) lines.push(`function f${i}(x) { const y = [x].map((v) => v + 1); return f${i + 1}(y[0]) + Math.max(1, 2); }`);
lines.push(`function f${depth - 1}(x) { sleep(0.001); return x; }`);
for (let i = 0; i < unrelated; i++) lines.push(`function g${i}(a) { return JSON.stringify({ a, b: String(a).split(',').map((s) => s.trim()) }); }`);
lines.push("export default function () { console.log('r ' + f0(0) + g1(2)); }");
const code = lines.join('\n');
for (let run = 1; run <= 3; run++) {
  const t0 = performance.now();
  const r = transformScript(code);
  console.log(JSON.stringify({ run, kb: Math.round(code.length / 1024), ms: Math.round(performance.now() - t0), ...r.stats }));
}
