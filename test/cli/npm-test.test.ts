/**
 * `npm test` runs every vitest project even when one fails, and still exits non-zero: its script
 * line (read from the real package.json) is run by sh, as npm runs it, with a stand-in `npm`
 * whose unit/e2e scripts pass or fail.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../temp-dir.ts';

const root = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** Runs package.json's "test" line under sh with a stand-in `npm` whose unit/e2e scripts exit as asked. */
async function npmTest(unit: number, e2e: number): Promise<{ code: number; e2eRan: boolean }> {
  const dir = tempDir('aetos-npm-test-');
  const mark = path.join(dir, 'e2e-ran');
  writeFileSync(
    path.join(dir, 'npm'),
    `#!/bin/sh\ncase "$2" in\n  typecheck|lint) exit 0;;\n  test:unit) exit ${unit};;\n  test:e2e) touch "${mark}"; exit ${e2e};;\nesac\nexit 127\n`,
    { mode: 0o755 },
  );
  const code = await promisify(execFile)('sh', ['-c', pkg.scripts.test as string], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } }).then(
    () => 0,
    (err: { code?: number }) => err.code ?? -1,
  );
  return { code, e2eRan: existsSync(mark) };
}

describe('npm test', () => {
  it('a failing unit project does not hide the e2e results; the exit stays non-zero', async () => {
    const [unitFails, e2eFails, allPass] = await Promise.all([npmTest(1, 0), npmTest(0, 1), npmTest(0, 0)]);
    expect(unitFails).toEqual({ code: 1, e2eRan: true });
    expect(e2eFails.code).not.toBe(0);
    expect(e2eFails.e2eRan).toBe(true);
    expect(allPass).toEqual({ code: 0, e2eRan: true });
  });
});
