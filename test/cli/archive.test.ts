/**
 * `aetos-load archive` and `aetos-load run archive.tar`: a script with a relative import, a remote
 * import (served by a local HTTP server, with a relative import of its own) and an open()ed file is
 * archived in k6's layout; the server is stopped, the cache and the original files are deleted, and
 * the archive still runs (offline). A tar made by hand in k6's layout runs too, and `inspect` reads
 * an archive's options. Commands run in-process (their `main`), console output goes to a file
 * through --console-output.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tar from 'tar-stream';
import { Capture } from './capture.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as archiveMain } from '../../cli/archive.ts';
import { main as inspectMain } from '../../cli/inspect.ts';
import { main as runMain } from '../../cli/run.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'aetos-archive-test-'));
let server: http.Server;
let base = '';
const served: Record<string, string> = {
  '/mod/index.js': `import { shout } from './dep.js';\nexport const greet = (n) => shout('hello ' + n);\n`,
  '/mod/dep.js': `export const shout = (s) => s.toUpperCase();\n`,
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const body = served[req.url ?? ''];
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'text/javascript' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});


function io(env: NodeJS.ProcessEnv = {}) {
  return { env: { PATH: process.env.PATH, ...env }, cwd: dir, stdout: new Capture(), stderr: new Capture(), handleSignals: false };
}

async function tarEntries(file: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const extract = tar.extract();
  const { createReadStream } = await import('node:fs');
  createReadStream(file).pipe(extract);
  for await (const e of extract) {
    let s = '';
    for await (const c of e) s += c;
    out.set(e.header.name, s);
  }
  return out;
}

function consoleLines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { msg: string }).msg);
}

describe('archive', () => {
  it('holds the script, its local and remote modules, open()ed files and options, and runs with no network', async () => {
    const project = path.join(dir, 'project');
    mkdirSync(path.join(project, 'lib'), { recursive: true });
    mkdirSync(path.join(project, 'data'));
    writeFileSync(path.join(project, 'lib/helper.js'), `export const twice = (x) => x + x;\n`);
    writeFileSync(path.join(project, 'data/users.json'), `["ann","bob"]\n`);
    const script = path.join(project, 'script.js');
    writeFileSync(
      script,
      [
        `import { sleep } from 'k6';`,
        `import { twice } from './lib/helper.js';`,
        `import { greet } from '${base}/mod/index.js';`,
        `const users = JSON.parse(open('./data/users.json'));`,
        `export const options = { vus: 1, iterations: 2 };`,
        `export default function () { sleep(0.001); console.log(greet(users[__ITER]) + ' ' + twice(__ENV.WHO)); }`,
        ``,
      ].join('\n'),
    );
    const tarFile = path.join(dir, 'out/test.tar');
    const cache = path.join(dir, 'cache');
    const a = io({ AETOS_LOAD_MODULE_CACHE: cache });
    expect(await archiveMain(['-O', tarFile, '-e', 'WHO=ab', '--vus', '1', script], a)).toBe(0);
    expect(a.stdout.text).toMatch(/2 local script\(s\), 2 remote module\(s\), 1 open\(\)ed file\(s\)/);

    const entries = await tarEntries(tarFile);
    const abs = project.replace(/^\//, '');
    const host = new URL(base).host;
    expect([...entries.keys()].sort()).toEqual(
      [
        'metadata.json',
        `files/file/${abs}/data/users.json`,
        `scripts/file/${abs}/lib/helper.js`,
        `scripts/file/${abs}/script.js`,
        `scripts/http/${host}/mod/dep.js`,
        `scripts/http/${host}/mod/index.js`,
      ].sort(),
    );
    const meta = JSON.parse(entries.get('metadata.json') as string);
    expect(meta).toMatchObject({ type: 'js', filename: `file://${script}`, pwd: `file://${dir}/`, env: { WHO: 'ab' }, options: { vus: 1, iterations: 2 }, goos: 'linux' });
    expect(meta.k6version).toMatch(/^\d+\.\d+\.\d+$/);

    // no network, no cache, no original files: the archive alone
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(cache, { recursive: true, force: true });
    rmSync(project, { recursive: true, force: true });
    const consoleFile = path.join(dir, 'console.ndjson');
    const r = io({ AETOS_LOAD_OFFLINE: '1', AETOS_LOAD_MODULE_CACHE: cache });
    const code = await runMain([tarFile, '-q', '--no-summary', '--log-format', 'json', '--console-output', consoleFile], r);
    expect(r.stderr.text).toBe('');
    expect(code).toBe(0);
    expect(consoleLines(consoleFile)).toEqual(['HELLO ANN abab', 'HELLO BOB abab']);

    // inspect reads the archive's options; flags still win
    const i = io();
    expect(await inspectMain(['--iterations', '3', tarFile], i)).toBe(0);
    const opts = JSON.parse(i.stdout.text);
    expect(opts).toMatchObject({ vus: 1, iterations: 3 });
    expect(Object.keys(opts.scenarios)).toEqual(['default']);
  });

  it("runs a tar made by hand in k6's layout (absolute paths of another machine, a jslib module)", async () => {
    const pack = tar.pack();
    const meta = {
      type: 'js',
      filename: 'file:///home/k6user/tests/main.js',
      pwd: 'file:///home/k6user/',
      options: { iterations: 1, vus: 1 },
      env: { NAME: 'k6' },
      compatibilityMode: 'extended',
      k6version: '1.0.0',
      goos: 'linux',
    };
    pack.entry({ name: 'metadata.json' }, JSON.stringify(meta));
    pack.entry(
      { name: 'scripts/file/home/k6user/tests/main.js' },
      [
        `import { randomItem } from 'https://jslib.k6.io/k6-utils/1.4.0/index.js';`,
        `import { suffix } from './util.js';`,
        `const words = open('./words.txt').trim().split('\\n');`,
        `export default function () { console.log(randomItem(words) + suffix + __ENV.NAME); }`,
      ].join('\n'),
    );
    pack.entry({ name: 'scripts/file/home/k6user/tests/util.js' }, `export const suffix = ' from ';\n`);
    pack.entry({ name: 'scripts/https/jslib.k6.io/k6-utils/1.4.0/index.js' }, `export function randomItem(a) { return a[0]; }\n`);
    pack.entry({ name: 'files/file/home/k6user/tests/words.txt' }, `hi\n`);
    pack.finalize();
    const tarFile = path.join(dir, 'k6-made.tar');
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    writeFileSync(tarFile, Buffer.concat(chunks));

    const consoleFile = path.join(dir, 'k6-console.ndjson');
    const r = io({ AETOS_LOAD_OFFLINE: '1', AETOS_LOAD_MODULE_CACHE: path.join(dir, 'empty-cache') });
    expect(await runMain([tarFile, '-q', '--no-summary', '--log-format', 'json', '--console-output', consoleFile], r)).toBe(0);
    expect(consoleLines(consoleFile)).toEqual(['hi from k6']);
  });

  it('a broken archive or a missing module is one clear line, exit 107', async () => {
    const notTar = path.join(dir, 'not.tar');
    writeFileSync(notTar, 'hello');
    const r = io();
    expect(await runMain([notTar, '-q'], r)).toBe(107);
    expect(r.stderr.text).toMatch(/^aetos-load run: .*not\.tar: (no metadata\.json|not a readable tar)/);

    const pack = tar.pack();
    pack.entry({ name: 'metadata.json' }, JSON.stringify({ type: 'js', filename: 'file:///x/main.js', pwd: 'file:///x/', options: {}, env: {} }));
    pack.entry({ name: 'scripts/file/x/main.js' }, `import { a } from 'https://example.invalid/a.js';\nexport default function () { a(); }\n`);
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    const missing = path.join(dir, 'missing.tar');
    writeFileSync(missing, Buffer.concat(chunks));
    const m = io();
    expect(await runMain([missing, '-q'], m)).toBe(107);
    expect(m.stderr.text).toMatch(/https:\/\/example\.invalid\/a\.js is not in the archive .*missing\.tar/);
  });
});
