/**
 * A commit of this repository's own history, exported to a temporary folder so a benchmark can run
 * it beside the working tree in the same rounds: a goal written as a number measured on one host
 * ("≥ 25k req/s; today 20.2k, 29.3k without logs") is judged on another host by measuring the build
 * the number was taken from, here, now, and scaling the goal by what that build makes.
 *
 * `git archive` (not a worktree): nothing is added to .git, and removing the folder is the whole
 * clean-up. The export shares this checkout's node_modules through a symlink; it must not need
 * packages this checkout lacks (the issue builds are older, and dependencies were only added).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');

export interface ExportedBuild {
  dir: string;
  remove(): void;
}

/** Exports `commit` (e.g. 4272560); throws one line naming the commit when the history lacks it (a shallow clone). */
export function exportCommit(commit: string): ExportedBuild {
  const dir = mkdtempSync(join(tmpdir(), `aetos-build-${commit}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const tar = execFileSync('git', ['-C', repo, 'archive', '--format=tar', commit], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  } catch (e) {
    remove();
    const why = String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim().split('\n')[0];
    throw new Error(`cannot export commit ${commit} of ${repo} (${why}); a shallow clone lacks it: git fetch --unshallow`);
  }
  return { dir, remove };
}
