/**
 * `aetos-load new [file] [--force]`: writes a new k6 script from a template, as `k6 new` does
 * (default `script.js`): options, one request, a check, a pause. Refuses to overwrite an existing
 * file unless --force. (`new-scenario` is the project's own: a TypeScript scenario using lib/.)
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

export function scriptTemplate(): string {
  return `// A k6 script: run it with \`aetos-load run <this file>\` or \`k6 run <this file>\`.
// The k6 documentation is the reference for everything below: https://grafana.com/docs/k6/latest/
import http from 'k6/http';
import { check, sleep } from 'k6';

// How the test runs: 10 virtual users for 30 seconds. Try scenarios, stages and thresholds too.
export const options = {
  vus: 10,
  duration: '30s',
  thresholds: {
    http_req_failed: ['rate<0.01'], // fewer than 1 % of requests fail
    http_req_duration: ['p(95)<500'], // 95 % answer within 500 ms
  },
};

// The init code above runs once per VU; this function runs again and again for each VU.
export default function () {
  const res = http.get(__ENV.BASE_URL || 'https://quickpizza.grafana.com');
  check(res, { 'status is 200': (r) => r.status === 200 });
  sleep(1);
}
`;
}

export async function main(argv: string[], io: { cwd?: string; stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream } = {}): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let force = false;
  const names: string[] = [];
  for (const a of argv) {
    if (a === '-f' || a === '--force') force = true;
    else if (a === '-h' || a === '--help') {
      stdout.write('usage: aetos-load new [file.js] [--force]\n\nWrites a new k6 script (default script.js); --force overwrites an existing file.\n');
      return 0;
    } else if (a.startsWith('-')) {
      stderr.write(`aetos-load new: unknown flag ${a} (usage: aetos-load new [file.js] [--force])\n`);
      return 2;
    } else names.push(a);
  }
  if (names.length > 1) {
    stderr.write(`aetos-load new: expected one file name, got ${names.length}: ${names.join(' ')}\n`);
    return 2;
  }
  const file = names[0] ?? 'script.js';
  const target = path.resolve(cwd, file);
  try {
    await writeFile(target, scriptTemplate(), { flag: force ? 'w' : 'wx' });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    stderr.write(
      e.code === 'EEXIST'
        ? `aetos-load new: ${file} already exists; choose another name or pass --force to overwrite it\n`
        : `aetos-load new: cannot write ${file}: ${e.message}\n`,
    );
    return e.code === 'EEXIST' ? 1 : 2;
  }
  stdout.write(`wrote ${file}: run it with aetos-load run ${file}\n`);
  return 0;
}
