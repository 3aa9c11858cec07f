// bench/issue-build.ts exports a commit of this repository for a same-run baseline: the files of
// that commit (not the working tree's), this checkout's packages, and nothing left behind.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportCommit } from '../../bench/issue-build.ts';

const root = path.resolve(import.meta.dirname, '../..');
const exportsInTmp = () => readdirSync(tmpdir()).filter((f) => f.startsWith('aetos-build-'));

describe('exportCommit', () => {
  it("writes the commit's files with this checkout's node_modules, and remove() deletes them", () => {
    // the root commit: its package.json differs from today's, so the export is the commit's, not the tree's
    const first = execFileSync('git', ['-C', root, 'rev-list', '--max-parents=0', 'HEAD'], { encoding: 'utf8' }).trim().split('\n')[0];
    const want = execFileSync('git', ['-C', root, 'show', `${first}:package.json`], { encoding: 'utf8' });
    const build = exportCommit(first);
    try {
      expect(readFileSync(path.join(build.dir, 'package.json'), 'utf8')).toBe(want);
      expect(lstatSync(path.join(build.dir, 'node_modules')).isSymbolicLink()).toBe(true);
      expect(existsSync(path.join(build.dir, 'node_modules', 'fastify', 'package.json'))).toBe(true);
    } finally {
      build.remove();
    }
    expect(existsSync(build.dir)).toBe(false);
    expect(existsSync(path.join(root, 'node_modules', 'fastify', 'package.json'))).toBe(true); // the link went, not its target
  });

  it('a commit the history lacks is one line naming it, and leaves no folder', () => {
    const before = exportsInTmp();
    expect(() => exportCommit('0000000deadbeef')).toThrow(/^cannot export commit 0000000deadbeef of .*: git fetch --unshallow$/);
    expect(exportsInTmp()).toEqual(before);
  });
});
