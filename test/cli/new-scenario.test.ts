/**
 * `npm run new:scenario -- <name>`: the scaffold builds into a valid k6 bundle, type-checks with the
 * k6 types, and bad names / existing files are refused with one line.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleToString } from '../../engine/build/bundle.ts';
import { scaffold } from '../../cli/new-scenario.ts';
import { bundleViolations } from '../build/bundle-checks.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let dir: string;
let paths: { scenariosDir: string; thresholdsFile: string };

beforeAll(async () => {
  // A copy of the project's scenario tree, so the test never touches the real scenarios/ or thresholds.json.
  dir = await mkdtemp(path.join(os.tmpdir(), 'aetos-new-scenario-'));
  await cp(path.join(root, 'lib'), path.join(dir, 'lib'), { recursive: true });
  await mkdir(path.join(dir, 'scenarios'));
  await writeFile(path.join(dir, 'thresholds.json'), await readFile(path.join(root, 'thresholds.json')));
  await writeFile(path.join(dir, 'tsconfig.base.json'), await readFile(path.join(root, 'tsconfig.base.json')));
  await writeFile(path.join(dir, 'tsconfig.k6.json'), await readFile(path.join(root, 'tsconfig.k6.json')));
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  paths = { scenariosDir: path.join(dir, 'scenarios'), thresholdsFile: path.join(dir, 'thresholds.json') };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('new-scenario', () => {
  it('scaffolds a scenario that bundles into a valid k6 script and type-checks', async () => {
    const file = await scaffold('night-shift', paths);
    expect(file).toBe(path.join(dir, 'scenarios/night-shift.ts'));
    const criteria = JSON.parse(await readFile(paths.thresholdsFile, 'utf8'));
    expect(criteria['night-shift']).toEqual({ http_req_failed: ['rate<0.01'] });
    const code = await bundleToString(file);
    expect(bundleViolations(code)).toEqual([]);
    expect(code).toContain('"night-shift"');
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    const r = await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.k6.json'], { cwd: dir }).catch((e) => e);
    expect(`${r.stdout ?? ''}${r.stderr ?? ''}`).toBe('');
  });

  it('refuses an existing file and bad names with one line', async () => {
    await expect(scaffold('night-shift', paths)).rejects.toThrow(/scenarios\/night-shift\.ts already exists/);
    for (const bad of ['Night', '../evil', 'a b', '-x', 'x--y', '']) {
      await expect(scaffold(bad, paths)).rejects.toThrow(/^new-scenario: bad name/);
    }
  });

  it('the CLI answers a bad name with one line and exit 2', async () => {
    const r = await promisify(execFile)(process.execPath, ['bin/aetos-load.js', 'new-scenario', 'Bad Name'], { cwd: root }).catch((e) => e);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bad name "Bad Name"/);
  });
});
