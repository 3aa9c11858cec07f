// D8: `--runner k6` hands the same bundle, env and k6 flags to a k6 binary and passes its exit code
// through. The k6 here is a shell script that records what it was given: the hand-off is the unit.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../temp-dir.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const bin = path.join(root, 'bin/aetos-load.js');
const fixture = path.join(root, 'test/fixtures/runner/handoff.ts');

function fakeK6(dir: string, exitCode: number): string {
  const file = path.join(dir, 'k6');
  writeFileSync(
    file,
    `#!/bin/sh
out="${dir}/record"
for a in "$@"; do printf '%s\\n' "$a" >> "$out.argv"; done
last=""; for a in "$@"; do last="$a"; done
cp "$last" "$out.bundle"
printf '%s' "$MY_VAR" > "$out.env"
exit ${exitCode}
`,
  );
  chmodSync(file, 0o755);
  return file;
}

function run(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [bin, 'run', ...args], { cwd: root, env, encoding: 'utf8', timeout: 30_000 });
}

describe('aetos-load run --runner k6', () => {
  it('bundles the .ts, passes k6 flags and env, drops engine flags, returns k6 exit code', () => {
    const dir = tempDir('aetos-k6-');
    fakeK6(dir, 42);
    const env = { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH}`, MY_VAR: 'from-env', K6_BIN: '' };
    const r = run(['--runner', 'k6', '-u', '2', '--workers=3', '-e', 'A=1', '--out', 'json=x.json', fixture], env);
    expect(r.status, r.stderr).toBe(42);
    const argv = readFileSync(path.join(dir, 'record.argv'), 'utf8').trim().split('\n');
    expect(argv.slice(0, -1)).toEqual(['run', '-u', '2', '-e', 'A=1', '--out', 'json=x.json']);
    const bundlePath = argv[argv.length - 1] as string;
    expect(bundlePath).toMatch(/handoff\.js$/);
    const bundle = readFileSync(path.join(dir, 'record.bundle'), 'utf8');
    expect(bundle).toContain('handoff-marker');
    expect(bundle).toMatch(/from\s*["']k6["']/);
    expect(bundle).not.toMatch(/interface Opts|: string =/);
    expect(readFileSync(path.join(dir, 'record.env'), 'utf8')).toBe('from-env');
    // The temporary bundle is removed once k6 is done.
    expect(existsSync(bundlePath)).toBe(false);
  });

  it('K6_BIN wins over PATH; a .js script is passed as it is', () => {
    const dir = tempDir('aetos-k6-');
    const k6 = fakeK6(dir, 0);
    const js = path.join(dir, 'plain.js');
    writeFileSync(js, 'export default function () {}\n');
    const r = run(['--runner=k6', js], { ...process.env, K6_BIN: k6, PATH: '/usr/bin:/bin' });
    expect(r.status, r.stderr).toBe(0);
    const argv = readFileSync(path.join(dir, 'record.argv'), 'utf8').trim().split('\n');
    expect(argv).toEqual(['run', js]);
  });

  it('no k6 anywhere: one clear line, exit 2', () => {
    const empty = tempDir('aetos-nok6-');
    const r = run(['--runner', 'k6', fixture], { ...process.env, PATH: empty, K6_BIN: '' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no k6 binary on PATH and K6_BIN is not set/);
  });
});
