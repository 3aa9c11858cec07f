/**
 * The k6-compatible commands and flags beside `run`: version, new, inspect; --stage lists,
 * --paused, --log-format, --console-output (from worker threads too); and the documented way to
 * trust a private CA for modules imported by URL (NODE_EXTRA_CA_CERTS, read by Node at start-up, so
 * that case runs the real command in a child process against a local HTTPS server).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Capture } from './capture.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { main as inspectMain } from '../../cli/inspect.ts';
import { main as newMain } from '../../cli/new.ts';
import { main as runMain } from '../../cli/run.ts';
import { main as versionMain } from '../../cli/version.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'aetos-commands-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const io = (env: NodeJS.ProcessEnv = {}) => ({ env: { PATH: process.env.PATH, ...env }, cwd: dir, stdout: new Capture(), stderr: new Capture(), handleSignals: false });

function script(name: string, body: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, body);
  return file;
}

describe('version', () => {
  it('names the engine, Node and the k6 version it follows', async () => {
    const o = io();
    expect(await versionMain([], o)).toBe(0);
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(o.stdout.text).toMatch(new RegExp(`^aetos-load v${pkg.version.replace(/\./g, '\\.')} \\(node ${process.version.replace(/\./g, '\\.')}, [a-z0-9]+/[a-z0-9]+\\) follows k6 v\\d+\\.\\d+\\.\\d+\\n$`));
  });
});

describe('new', () => {
  it('writes a k6 script that inspects and runs, and refuses to overwrite it without --force', async () => {
    const o = io();
    expect(await newMain([], o)).toBe(0);
    const file = path.join(dir, 'script.js');
    const first = readFileSync(file, 'utf8');
    expect(first).toContain("import http from 'k6/http'");
    const i = io();
    expect(await inspectMain([file], i)).toBe(0);
    expect(JSON.parse(i.stdout.text)).toMatchObject({ vus: 10, duration: '30s', thresholds: { http_req_failed: ['rate<0.01'] } });

    writeFileSync(file, '// mine\n');
    const again = io();
    expect(await newMain(['script.js'], again)).toBe(1);
    expect(again.stderr.text).toBe('aetos-load new: script.js already exists; choose another name or pass --force to overwrite it\n');
    expect(readFileSync(file, 'utf8')).toBe('// mine\n');
    expect(await newMain(['script.js', '--force'], io())).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(first);
    expect(await newMain(['other.js'], io())).toBe(0);
    expect(existsSync(path.join(dir, 'other.js'))).toBe(true);
  });
});

describe('inspect and run flags', () => {
  const plain = () => script('plain.js', `export const options = { vus: 2, tags: { team: 'wms' } };\nexport default function () {}\n`);

  it('inspect: script options < K6_* env < flags, scenarios derived; --stage takes comma lists and repeats', async () => {
    const o = io({ K6_VUS: '3' });
    expect(await inspectMain(['--stage', '1s:1,5s:10', '-s', '2s:0', plain()], o)).toBe(0);
    const opts = JSON.parse(o.stdout.text);
    expect(opts.vus).toBe(3);
    expect(opts.tags).toEqual({ team: 'wms' });
    expect(opts.stages).toEqual([
      { duration: '1s', target: 1 },
      { duration: '5s', target: 10 },
      { duration: '2s', target: 0 },
    ]);
    expect(opts.scenarios.default.executor).toBe('ramping-vus');
  });

  it('a bad stage in a list and --paused are one clear line each, exit 104', async () => {
    const s = io();
    expect(await inspectMain(['--stage', '1s:1,oops', plain()], s)).toBe(104);
    expect(s.stderr.text.trim().split('\n')).toHaveLength(1);
    expect(s.stderr.text).toMatch(/--stage/);
    const p = io();
    expect(await runMain(['--paused', plain()], p)).toBe(104);
    expect(p.stderr.text).toMatch(/^aetos-load run: invalid option --paused: not supported: the engine has no REST API/);
    expect(p.stderr.text.trim().split('\n')).toHaveLength(1);
  });

  it('--log-format raw (K6_LOG_FORMAT) and json; --console-output takes console lines, also from worker threads', async () => {
    const s = script('logs.js', `import exec from 'k6/execution';\nexport const options = { vus: 2, iterations: 4 };\nexport default function () { console.log('it ' + exec.scenario.iterationInTest); console.warn('careful'); }\n`);
    // raw through k6's env variable, json through the flag
    const raw = io({ K6_LOG_FORMAT: 'raw' });
    expect(await runMain([s, '-q', '--no-summary', '--workers', '1'], raw)).toBe(0);
    expect(raw.stderr.text.split('\n').filter((l) => l.startsWith('it ')).sort()).toEqual(['it 0', 'it 1', 'it 2', 'it 3']);
    expect(raw.stderr.text).not.toMatch(/level=|time=/);

    const json = io();
    const consoleFile = path.join(dir, 'console.log');
    writeFileSync(consoleFile, 'left from before\n');
    expect(await runMain([s, '-q', '--no-summary', '--workers', '2', '--log-format', 'json', '--console-output', consoleFile], json)).toBe(0);
    const lines = readFileSync(consoleFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.level === 'info').map((l) => l.msg).sort()).toEqual(['it 0', 'it 1', 'it 2', 'it 3']);
    expect(lines.filter((l) => l.level === 'warning')).toHaveLength(4);
    for (const l of lines) expect(l).toMatchObject({ source: 'console', time: expect.stringMatching(/^\d{4}-/) });
    expect(json.stderr.text).not.toContain('careful');
  });

  it('every console line of the last iterations arrives, on stderr and in --console-output (the threads end right after)', async () => {
    const s = script('burst.js', `export const options = { vus: 2, iterations: 2 };\nexport default function () { for (let i = 0; i < 400; i++) console.log('line ' + __VU + ' ' + i); }\n`);
    const out = io({ K6_LOG_FORMAT: 'raw' });
    const file = path.join(dir, 'burst.log');
    expect(await runMain([s, '-q', '--no-summary', '--workers', '2', '--console-output', file], out)).toBe(0);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(800);
    expect(await runMain([s, '-q', '--no-summary', '--workers', '2'], out)).toBe(0);
    expect(out.stderr.text.split('\n').filter((l) => l.startsWith('line '))).toHaveLength(800);
  });
});

describe('a private CA for remote modules', () => {
  it('NODE_EXTRA_CA_CERTS makes the engine trust a self-signed module server', async () => {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    const server = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(`export const origin = 'tls';\n`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/m.js`;
      const file = script('tls.js', `import { origin } from '${url}';\nexport const options = { tags: { origin } };\nexport default function () {}\n`);
      const cli = (env: NodeJS.ProcessEnv) =>
        new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
          const child = spawn(process.execPath, [path.join(root, 'bin/aetos-load.js'), 'inspect', file], {
            cwd: dir,
            env: { PATH: process.env.PATH, AETOS_LOAD_MODULE_CACHE: path.join(dir, `cache-${Object.keys(env).length}`), ...env },
          });
          let out = '';
          let err = '';
          child.stdout.on('data', (d) => (out += d));
          child.stderr.on('data', (d) => (err += d));
          const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
          child.on('close', (code) => {
            clearTimeout(killer);
            resolve({ code, out, err });
          });
        });
      // (the refusal without it, and its message, are covered in-process by test/build/remote-modules.test.ts)
      const trusted = await cli({ NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem') });
      expect(trusted.err).toBe('');
      expect(trusted.code).toBe(0);
      expect(JSON.parse(trusted.out).tags).toEqual({ origin: 'tls' });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
