/**
 * Start-up cost of a run now that every VU runs in a worker thread (D9): wall time of
 * `aetos-load run --quiet -u 1 -i 1` on an empty script, and the time from spawning the command to
 * the first request of a one-VU `http.get` test reaching a loopback server.
 *
 *   npx tsx bench/worker-start.ts [runs] [path/to/other/bin/aetos-load.js]
 *
 * With a second bin (another checkout) the two are run alternately, so machine load hits both alike.
 * Prints medians and the spread, and `node -e ''` as the host's floor (start-up figures from hosts
 * of different speed compare through it); bench/RESULTS.md keeps the numbers.
 */
import './args.ts'; // first: --help prints this file's opening comment before anything loads
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const runs = Number(process.argv[2] ?? 7);
const bins = [path.resolve(import.meta.dirname, '../bin/aetos-load.js'), ...(process.argv[3] ? [path.resolve(process.argv[3])] : [])];
const dir = mkdtempSync(path.join(os.tmpdir(), 'aetos-bench-start-'));
const empty = path.join(dir, 'empty.js');
writeFileSync(empty, 'export default function () {}\n');
const get = path.join(dir, 'get.js');
writeFileSync(get, "import http from 'k6/http';\nexport default function () { http.get(__ENV.URL); }\n");

let firstRequestAt = 0;
const server = http.createServer((_req, res) => {
  if (firstRequestAt === 0) firstRequestAt = performance.now();
  res.end('ok');
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;

function run(bin: string, script: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [bin, 'run', '--quiet', '-u', '1', '-i', '1', script], { env: { ...process.env, URL: url }, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${bin} exited ${code}`))));
  });
}

async function firstRequest(bin: string): Promise<number> {
  firstRequestAt = 0;
  const t0 = performance.now();
  await run(bin, get);
  return firstRequestAt - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;

/** Wall time of `node -e ''`: the floor any Node command pays on this host, printed beside the figures. */
function bareNode(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - t0));
  });
}

// One warm-up each: builds the bundle cache and warms the file cache.
for (const bin of bins) await run(bin, empty);
const wall = bins.map(() => [] as number[]);
const first = bins.map(() => [] as number[]);
const floor: number[] = [];
for (let i = 0; i < runs; i++) {
  floor.push(await bareNode());
  for (const [j, bin] of bins.entries()) {
    wall[j]!.push(await run(bin, empty));
    first[j]!.push(await firstRequest(bin));
  }
}
server.close();
console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${runs} runs each`);
console.log(`node -e '' (this host's floor for any Node command): ${fmt(floor)}`);
for (const [j, bin] of bins.entries()) {
  console.log(`${bin}\n  -u 1 -i 1 wall time: ${fmt(wall[j]!)}\n  spawn → first request: ${fmt(first[j]!)}`);
}
