/**
 * Where a worker thread's browsers keep their temporary files, and how they are removed when the
 * thread has ended, whatever ended it.
 *
 * Playwright makes a profile folder (`playwright_chromiumdev_profile-*`) and an artifacts folder for
 * each launch, and Chromium its own `org.chromium.Chromium.*` files, all in the temp folder; each
 * removes its own only when the browser exits cleanly under its eye. A browser the engine kills (a
 * crash, a hang) or whose thread is terminated (a script that never yields) left them in the
 * user's temp folder, one set per browser, run after run.
 *
 * So each launch gets a folder of its own, `<tmp>/aetos-b<pid>-<thread id>/lXXXXXX`, which is the
 * temp folder of Playwright (TMPDIR while it launches) and of Chromium (its environment), with the
 * browser's pid written beside it (`lXXXXXX.pid`). The names are short because Chromium puts its
 * SingletonSocket two levels down in its temp folder and a socket's path may not exceed 107 bytes:
 * where even these would push it over (a long TMPDIR), Chromium keeps the machine's temp folder
 * (`chromiumTemp`), as before, and only Playwright's folders move. The worker removes
 * a launch's folder when its browser is gone; the coordinator removes the thread's folder when the
 * thread has ended (engine/runner/worker-thread.ts), first ending any browser still named in it:
 * a terminated thread runs no more JavaScript, and its Chromium is still exiting at that moment.
 * The path is derived from the process id and the thread id, which both sides know, so nothing has
 * to pass between them; os.tmpdir() is read at each call (both sides read the same environment).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A Unix socket's path in bytes at most (Linux: sun_path is 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;
/** What Chromium appends to its temp folder for its socket: `/org.chromium.Chromium.XXXXXX/SingletonSocket`. */
const CHROMIUM_SOCKET_SUFFIX = '/org.chromium.Chromium.XXXXXX/SingletonSocket'.length;

/** The folder of a thread's browser launches. */
export function threadBrowserFolder(threadId: number): string {
  return join(tmpdir(), `aetos-b${process.pid}-${threadId}`);
}

export interface LaunchFolder {
  /** The temp folder to give Playwright. */
  readonly dir: string;
  /** The temp folder to give Chromium: `dir`, unless its socket's path would be too long there. */
  readonly chromiumTemp: string | undefined;
  /** Records the browser's pid beside the folder, for the coordinator to end it if the thread cannot. */
  notePid(pid: number): void;
  /** Removes the folder and its pid file (the browser never started). */
  remove(): void;
  /**
   * Removes them once the browser's process `pid` has exited: Playwright says 'disconnected' when
   * the pipe closes, and a Chromium killed at that moment may still write its last files. Without a
   * pid, after a second. Timers are unref'd: the thread's end does not wait for them (the
   * coordinator removes what is left).
   */
  removeOnceGone(pid: number | undefined): void;
}

/** A new folder for one browser launch of thread `threadId` (worker side). */
export function launchFolder(threadId: number): LaunchFolder {
  const parent = threadBrowserFolder(threadId);
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'l'));
  const remove = () => {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      rmSync(`${dir}.pid`, { force: true });
    } catch {
      // a renderer of the dead browser still writing: the coordinator removes the rest when the thread ends
    }
  };
  return {
    dir,
    chromiumTemp: Buffer.byteLength(dir) + CHROMIUM_SOCKET_SUFFIX <= MAX_SOCKET_PATH ? dir : process.env.TMPDIR,
    notePid: (pid) => writeFileSync(`${dir}.pid`, String(pid)),
    remove,
    removeOnceGone: (pid) => {
      const until = Date.now() + 10_000;
      const check = () => {
        if (pid !== undefined && alive(pid) && Date.now() < until) setTimeout(check, 50).unref();
        else remove();
      };
      if (pid === undefined) setTimeout(remove, 1000).unref();
      else check();
    },
  };
}

/** True while `pid` is a live process (a zombie counts as gone on Linux). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc: the signal's answer stands
  }
}

/** Whether `pid` still runs a Chromium (a pid noted minutes ago may have been given to another program). */
function isChromium(pid: number): boolean {
  try {
    return /chrom/i.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
  } catch {
    return process.platform !== 'linux'; // elsewhere there is no cheap check: trust the note
  }
}

/** Removals started and not yet finished: a run waits for them before it returns (`browserFoldersRemoved`). */
const inFlight = new Set<Promise<void>>();

/**
 * Starts `removeThreadBrowserFolder(threadId)` (coordinator side, when a thread ends); never rejects.
 * Threads end in many places (a watchdog's terminate is not awaited by whoever ends the run), so
 * the run waits for all of them at once: `browserFoldersRemoved()`.
 */
export function removeThreadBrowserFolderSoon(threadId: number): Promise<void> {
  const p: Promise<void> = removeThreadBrowserFolder(threadId)
    .catch(() => undefined)
    .finally(() => inFlight.delete(p));
  inFlight.add(p);
  return p;
}

/** Resolves when every removal started so far has finished. */
export async function browserFoldersRemoved(): Promise<void> {
  await Promise.all([...inFlight]);
}

/**
 * Ends every browser noted in thread `threadId`'s folder, then removes the folder (coordinator
 * side, once the thread has ended). Playwright starts Chromium as the leader of its own process
 * group, so the group is killed: the renderer and GPU processes keep writing their shared-memory
 * files into the folder (--disable-dev-shm-usage) for a moment after the browser process dies,
 * and a removal that races them fails. So it is tried again until `waitMs` has passed. A thread
 * that never launched a browser has no folder: nothing to do.
 */
export async function removeThreadBrowserFolder(threadId: number, waitMs = 5000): Promise<void> {
  const folder = threadBrowserFolder(threadId);
  if (!existsSync(folder)) return;
  const pids = readdirSync(folder)
    .filter((f) => f.endsWith('.pid'))
    .map((f) => Number(readFileSync(join(folder, f), 'utf8')))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
  const killed = pids.filter((pid) => alive(pid) && isChromium(pid));
  for (const pid of killed) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
        break;
      } catch {
        // not a group leader (another launcher), or gone meanwhile
      }
    }
  }
  const until = Date.now() + waitMs;
  const wait = () => new Promise((r) => setTimeout(r, 25));
  while (killed.some(alive) && Date.now() < until) await wait();
  for (;;) {
    try {
      rmSync(folder, { recursive: true, force: true });
    } catch (e) {
      if (Date.now() >= until) throw e;
    }
    if (!existsSync(folder) || Date.now() >= until) return;
    await wait();
  }
}
