/**
 * k6/secrets through `aetos-load run` with k6's --secret-source flag: file (relative to the working
 * directory), mock (named, default), env (the engine's own, with a prefix). The script uses the
 * real value (a local HTTP server receives it); every log line — console.log from worker threads,
 * an exception with its stack and its repeat count, --log-format json, --console-output, an error
 * that ends the run — shows ***SECRET_REDACTED*** instead.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Capture } from './capture.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as archiveMain } from '../../cli/archive.ts';
import { main as inspectMain } from '../../cli/inspect.ts';
import { main as runMain } from '../../cli/run.ts';

const R = '***SECRET_REDACTED***';
// unique values: the redaction registry lives as long as the thread
const FILE_SECRET = 'file-secret-7Hq2';
const MOCK_COOL = 'cool-mock-9Xw';
const MOCK_OTHER = 'other-mock-4Pd';
const ENV_SECRET = 'env-secret-3Kv';

const dir = mkdtempSync(path.join(tmpdir(), 'aetos-secrets-'));
const received: string[] = [];
const server = http.createServer((req, res) => {
  received.push(String(req.headers.authorization));
  res.end('ok');
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  writeFileSync(path.join(dir, 'secrets.txt'), `# k6's key=value file\napi_token=${FILE_SECRET}\n`);
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const io = () => ({ env: { PATH: process.env.PATH }, cwd: dir, stdout: new Capture(), stderr: new Capture(), handleSignals: false });

function script(name: string, body: string): string {
  writeFileSync(path.join(dir, name), body);
  return name;
}

describe('--secret-source and redaction', () => {
  it('file source: the request carries the value; console.log, the exception, its count, json logs and --console-output show it redacted', async () => {
    const s = script(
      'file.js',
      `import http from 'k6/http';
import secrets from 'k6/secrets';
export const options = { vus: 2, iterations: 4 };
export default async function () {
  const token = await secrets.get('api_token');
  http.get(__ENV.BASE, { headers: { Authorization: 'Bearer ' + token } });
  console.log('using ' + token);
  throw new Error('rejected ' + token);
}`,
    );
    // logfmt to stderr, from two worker threads
    const text = io();
    expect(await runMain([s, '-q', '--no-summary', '--workers', '2', '-e', `BASE=${base}`, '--secret-source=file=secrets.txt'], text)).toBe(0);
    expect(received.splice(0)).toEqual(Array(4).fill(`Bearer ${FILE_SECRET}`));
    const lines = text.stderr.text.split('\n');
    expect(lines.filter((l) => l.includes(`msg="using ${R}"`))).toHaveLength(4);
    expect(lines.filter((l) => l.includes(`Error: rejected ${R}`) && l.includes('source=stacktrace'))).toHaveLength(2); // the stack once, the total once
    expect(text.stderr.text).toContain(`thrown 4 times in all: Error: rejected ${R}`);
    expect(text.stderr.text).not.toContain(FILE_SECRET);

    // --log-format json, console lines to a file
    const json = io();
    const consoleFile = path.join(dir, 'console.ndjson');
    expect(await runMain([s, '-q', '--no-summary', '--workers', '2', '-e', `BASE=${base}`, '--secret-source', 'file=filename=secrets.txt', '--log-format', 'json', '--console-output', consoleFile], json)).toBe(0);
    received.splice(0);
    const consoleLines = readFileSync(consoleFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(consoleLines.map((l) => l.msg)).toEqual(Array(4).fill(`using ${R}`));
    const errLines = json.stderr.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(errLines.some((l) => l.msg.startsWith(`Error: rejected ${R}\n`))).toBe(true);
    expect(readFileSync(consoleFile, 'utf8') + json.stderr.text).not.toContain(FILE_SECRET);
  });

  it('mock sources, one named and one default (k6 docs example); several without a default make get() throw', async () => {
    const s = script(
      'mock.js',
      `import secrets from 'k6/secrets';
export const options = { iterations: 1 };
export default async function () {
  const def = await secrets.get('cool');
  const other = await secrets.source('another').get('cool');
  console.log(JSON.stringify({ def, other, same: def === other, defLen: def.length }));
}`,
    );
    const o = io();
    expect(await runMain([s, '-q', '--no-summary', `--secret-source=mock=default,cool=${MOCK_COOL}`, `--secret-source=mock=name=another,cool=${MOCK_OTHER}`], o)).toBe(0);
    expect(o.stderr.text).toContain(`msg="{\\"def\\":\\"${R}\\",\\"other\\":\\"${R}\\",\\"same\\":false,\\"defLen\\":${MOCK_COOL.length}}"`);
    expect(o.stderr.text).not.toContain('mock-');

    const none = io();
    expect(await runMain([s, '-q', '--no-summary', '--secret-source=mock=name=a,cool=x1', '--secret-source=mock=name=b,cool=x2'], none)).toBe(0);
    expect(none.stderr.text).toContain('k6/secrets: 2 secret sources and none is the default');
  });

  it('env source (engine-only, with a prefix): a secret in an error that ends the run is redacted in its line', async () => {
    process.env.AETOS_SECRETS_TEST_db = ENV_SECRET;
    try {
      const s = script('env.js', `import secrets from 'k6/secrets';\nexport async function setup() { throw new Error('cannot log in with ' + (await secrets.get('db'))); }\nexport default function () {}\n`);
      const o = io();
      expect(await runMain([s, '-q', '--no-summary', '--secret-source=env=prefix=AETOS_SECRETS_TEST_'], o)).toBe(107);
      expect(o.stderr.text).toContain(`Error: cannot log in with ${R}`);
      expect(o.stderr.text).not.toContain(ENV_SECRET);
    } finally {
      delete process.env.AETOS_SECRETS_TEST_db;
    }
  });

  it('a bad --secret-source is one line naming it, exit 104, before anything runs', async () => {
    const s = script('noop.js', 'export default function () {}\n');
    for (const [flag, why] of [
      ['--secret-source=file=missing.txt', `"file=missing.txt": cannot read ${path.join(dir, 'missing.txt')}: ENOENT`],
      ['--secret-source=vault=x', '"vault=x": unknown kind "vault" (file, mock, env)'],
      ['--secret-source=env', '"env": name the prefix of its variables (env=prefix=APP_SECRET_)'],
      ['--secret-source=mock=x=sekrit-1,oops', '"mock=…": "oops" is not a setting of the mock source'],
    ]) {
      const o = io();
      expect(await runMain([s, '-q', flag as string], o), flag).toBe(104);
      expect(o.stderr.text, flag).toBe(`aetos-load run: invalid option --secret-source: ${why}\n`);
    }
  });

  it('inspect and archive leave secret sources out (not k6 options; a mock source holds the secrets)', async () => {
    const s = script('opts.js', 'export const options = { vus: 2 };\nexport default function () {}\n');
    const flag = '--secret-source=mock=k=archive-mock-Vb5';
    const i = io();
    expect(await inspectMain([flag, s], i)).toBe(0);
    expect(JSON.parse(i.stdout.text)).toMatchObject({ vus: 2 });
    expect(i.stdout.text).not.toContain('secretSource');
    const tarFile = path.join(dir, 'opts.tar');
    const a = io();
    expect(await archiveMain(['-O', tarFile, flag, s], a)).toBe(0);
    expect(readFileSync(tarFile).includes('archive-mock-Vb5')).toBe(false);
  });
});
