// engine/modules/browser/temp-folder.ts without a browser: a launch's folder and pid note, the
// coordinator's removal (ending the noted process group, sparing a pid that is no Chromium), and
// the socket-length fallback. The real browser's side is in browser.test.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserFoldersRemoved, launchFolder, removeThreadBrowserFolder, removeThreadBrowserFolderSoon, threadBrowserFolder } from '../../../engine/modules/browser/temp-folder.ts';

const machineTmp = process.env.TMPDIR;
let tmp: string;
const children: ChildProcess[] = [];
/** Grandchildren (the fake renderers): ended after each test whatever it asserted. */
const strays: number[] = [];

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'aetos-btf-'));
  process.env.TMPDIR = tmp;
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
});
afterAll(() => {
  if (machineTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = machineTmp;
  rmSync(tmp, { recursive: true, force: true });
});

/** A process group led by a node whose command line names Chromium, with a child of its own, as Playwright starts Chromium. */
function fakeChromium(): Promise<{ leader: ChildProcess; childPid: number }> {
  const leader = spawn(process.execPath, ['-e', "const c = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'renderer']); console.log(c.pid); setInterval(() => {}, 1000)", 'fake-chromium'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(leader);
  return new Promise((resolve) =>
    leader.stdout!.once('data', (d) => {
      const childPid = Number(String(d).trim());
      strays.push(childPid);
      resolve({ leader, childPid });
    }),
  );
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('browser temp folders', () => {
  it('a launch folder lives under its thread folder in TMPDIR, with its pid noted beside it', () => {
    const f = launchFolder(90_001);
    expect(path.dirname(f.dir)).toBe(threadBrowserFolder(90_001));
    expect(threadBrowserFolder(90_001)).toBe(path.join(tmp, `aetos-b${process.pid}-90001`));
    expect(f.chromiumTemp).toBe(f.dir);
    f.notePid(4242);
    expect(readFileSync(`${f.dir}.pid`, 'utf8')).toBe('4242');
    writeFileSync(path.join(f.dir, 'left'), 'x');
    f.remove();
    expect(existsSync(f.dir) || existsSync(`${f.dir}.pid`)).toBe(false);
    expect(existsSync(threadBrowserFolder(90_001))).toBe(true); // the thread's folder is the coordinator's to remove
  });

  it("the coordinator ends the noted browser's whole process group, then removes the thread's folder", async () => {
    const { leader, childPid } = await fakeChromium();
    const f = launchFolder(90_002);
    f.notePid(leader.pid!);
    writeFileSync(path.join(f.dir, 'profile'), 'x');
    const p = removeThreadBrowserFolderSoon(90_002);
    await browserFoldersRemoved(); // what a run awaits before it returns
    await p;
    expect(isAlive(leader.pid!)).toBe(false); // waited for
    expect(existsSync(threadBrowserFolder(90_002))).toBe(false);
    // the group's other member was sent the same SIGKILL: it is gone within moments
    for (const end = Date.now() + 3000; isAlive(childPid) && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    expect(isAlive(childPid)).toBe(false);
  });

  it('a noted pid that now runs another program is not killed; a thread without a folder is nothing to do', async () => {
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(other);
    const f = launchFolder(90_003);
    f.notePid(other.pid!);
    await removeThreadBrowserFolder(90_003, 1000);
    expect(isAlive(other.pid!)).toBe(true);
    expect(existsSync(threadBrowserFolder(90_003))).toBe(false);
    await expect(removeThreadBrowserFolder(90_004)).resolves.toBeUndefined();
  });

  it('under a TMPDIR too long for Chromium\'s socket, Chromium keeps that TMPDIR and only Playwright moves', () => {
    const long = path.join(tmp, 'x'.repeat(60));
    process.env.TMPDIR = long;
    try {
      const f = launchFolder(90_005);
      expect(f.dir.startsWith(long)).toBe(true);
      expect(f.chromiumTemp).toBe(long);
      f.remove();
    } finally {
      process.env.TMPDIR = tmp;
    }
  });
});
