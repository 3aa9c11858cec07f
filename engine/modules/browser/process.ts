/**
 * One Chromium process per worker thread, shared by the thread's browser VUs (each VU gets its
 * own context per iteration, api.ts). Launched on first use; when it crashes (its pid killed, an
 * out-of-memory kill) the next use launches a new one, and one that stops answering is ended with
 * SIGKILL (`suspectHang`), so a broken browser costs the iterations that were using it, never the
 * run. Closed when the last VU of the thread closes; killed when the thread exits (a thread that
 * is terminated closes its pipe to Chromium, which then exits by itself, and the coordinator ends
 * its process group and removes its temp files: temp-folder.ts).
 */
import { threadId } from 'node:worker_threads';
import { chromium, type Browser } from 'playwright-core';
import type { BrowserSettings } from './settings.ts';
import { launchFolder } from './temp-folder.ts';

export interface LaunchedBrowser {
  readonly browser: Browser;
  /** The browser process id (Chromium's SystemInfo), for crash and hang handling. */
  readonly pid: number | undefined;
  /**
   * Calls `fn` when the browser is gone (crashed, killed, closed), so calls still waiting on it
   * can end; returns the unsubscribe (a call that settled must not stay registered).
   */
  whenGone(fn: () => void): () => void;
}

/** The thread's browser: the launch in flight or done, and what it gave once done. */
interface Current {
  readonly launching: Promise<LaunchedBrowser>;
  launched?: LaunchedBrowser;
}
let current: Current | null = null;
let users = 0;
let exitHook = false;
const known = new Set<number>();

/** How long a probe of a browser that may hang waits for an answer. */
const probeMs = 3000;

function kill(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function launch(settings: BrowserSettings, onCrash: (pid: number | undefined) => void): Promise<LaunchedBrowser> {
  if (!settings.executablePath) {
    throw new Error('no Chromium found: install Debian\'s chromium (apt-get install chromium) or set K6_BROWSER_EXECUTABLE_PATH');
  }
  // Playwright's profile and artifacts folders and Chromium's temp files go into a folder of this
  // launch, removed even when the browser or this thread is killed (temp-folder.ts). Playwright
  // reads os.tmpdir() while it launches: TMPDIR is this thread's own copy of the environment.
  const temp = launchFolder(threadId);
  const machineTmp = process.env.TMPDIR;
  let browser: Browser;
  try {
    process.env.TMPDIR = temp.dir;
    const env = { ...process.env };
    if (temp.chromiumTemp === undefined) delete env.TMPDIR;
    else env.TMPDIR = temp.chromiumTemp;
    browser = await chromium.launch({
      executablePath: settings.executablePath,
      headless: settings.headless,
      args: settings.args,
      env,
      timeout: Math.max(settings.timeoutMs, 30_000),
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (e) {
    temp.remove();
    throw e;
  } finally {
    if (machineTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = machineTmp;
  }
  const waiting = new Set<() => void>();
  let isGone = false;
  const whenGone = (fn: () => void) => {
    if (isGone) {
      fn();
      return () => {};
    }
    waiting.add(fn);
    return () => waiting.delete(fn);
  };
  let pid: number | undefined;
  const launched: LaunchedBrowser = {
    browser,
    get pid() {
      return pid;
    },
    whenGone,
  };
  // listened for before the pid is asked for: a browser that dies during that question is a crash
  // to report (it was replaced without a word), and its pid may then stay unknown
  browser.on('disconnected', () => {
    isGone = true;
    temp.removeOnceGone(pid);
    for (const fn of waiting) fn();
    waiting.clear();
    if (pid !== undefined) known.delete(pid);
    if (current?.launched === launched) current = null;
    if (!closing.has(browser)) onCrash(pid);
  });
  try {
    const cdp = await browser.newBrowserCDPSession();
    const info = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
    pid = info.processInfo.find((p) => p.type === 'browser')?.id;
    await cdp.detach();
  } catch {
    // no pid: a hang can then only be timed out, not ended
  }
  if (pid !== undefined && !isGone) {
    known.add(pid);
    temp.notePid(pid);
  }
  if (!exitHook) {
    exitHook = true;
    // a thread that ends normally ends its browser; one the coordinator terminates while it runs
    // script code closes the browser's pipe and Chromium exits by itself (test/engine/modules/browser.test.ts)
    process.once('exit', () => {
      for (const p of known) kill(p);
    });
  }
  return launched;
}

const closing = new WeakSet<Browser>();

/** The thread's browser, launched (again) when there is none or the last one died. */
export async function threadBrowser(settings: BrowserSettings, onCrash: (pid: number | undefined) => void): Promise<LaunchedBrowser> {
  for (;;) {
    if (!current) {
      const entry: Current = { launching: launch(settings, onCrash) };
      current = entry;
      entry.launching.then(
        (l) => {
          entry.launched = l;
        },
        () => {
          if (current === entry) current = null;
        },
      );
    }
    const entry = current;
    const l = await entry.launching;
    if (l.browser.isConnected()) return l;
    if (current === entry) current = null;
  }
}

/** Counts a VU that uses the thread's browser; the browser closes when the last one is released. */
export function retain(): void {
  users++;
}

export async function release(): Promise<void> {
  users = Math.max(0, users - 1);
  if (users > 0 || !current) return;
  const p = current.launching;
  current = null;
  const l = await p.catch(() => null);
  if (!l) return;
  closing.add(l.browser);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([l.browser.close().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, 5000)))]);
  clearTimeout(timer);
  kill(l.pid);
  if (l.pid !== undefined) known.delete(l.pid);
}

/**
 * Called when an operation got no answer in time: asks the browser for its version; when that
 * gets no answer either, the process is ended (SIGKILL) and the next use starts a new one.
 * Returns whether the browser was ended.
 */
export async function suspectHang(l: LaunchedBrowser): Promise<boolean> {
  if (!l.browser.isConnected()) return false;
  let timer: NodeJS.Timeout | undefined;
  const answered = await Promise.race([
    (async () => {
      const cdp = await l.browser.newBrowserCDPSession();
      await cdp.send('Browser.getVersion');
      await cdp.detach().catch(() => undefined);
      return true;
    })().catch(() => false),
    new Promise<false>((r) => (timer = setTimeout(() => r(false), probeMs))),
  ]);
  clearTimeout(timer);
  if (answered) return false;
  if (current?.launched === l) current = null;
  closing.add(l.browser);
  kill(l.pid);
  if (l.pid !== undefined) known.delete(l.pid);
  return true;
}
