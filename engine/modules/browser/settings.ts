/**
 * k6/browser's settings, read from the environment as k6 reads them (k6 docs, "Browser module
 * options"): K6_BROWSER_EXECUTABLE_PATH, K6_BROWSER_HEADLESS, K6_BROWSER_ARGS, K6_BROWSER_TIMEOUT,
 * plus the engine's own AETOS_BROWSER_SCREENSHOTS_DIR (where a relative `page.screenshot({ path })`
 * lands; `load` points it at the run folder) and AETOS_BROWSER_MAX_VUS (limits.ts).
 * Pure: no playwright here, so the coordinator can import it.
 */
import { existsSync } from 'node:fs';
import { parseDuration } from '../../duration.ts';
import { ConfigError } from '../../errors.ts';

export interface BrowserSettings {
  /** The Chromium binary; undefined lets playwright-core look for its own (it has none here: an error names the setting). */
  executablePath: string | undefined;
  headless: boolean;
  /** Command-line switches, each `--name` or `--name=value`. */
  args: string[];
  /** k6's default timeout of actions and navigations (ms). */
  timeoutMs: number;
  /** Base folder of relative screenshot paths (default: the working directory, as k6). */
  screenshotsDir: string | undefined;
}

/** Debian's chromium: the default when K6_BROWSER_EXECUTABLE_PATH is unset and the file exists. */
export const debianChromium = '/usr/bin/chromium';

const truthy = new Set(['1', 'true', 't', 'yes', 'y', 'on']);
const falsy = new Set(['0', 'false', 'f', 'no', 'n', 'off']);

function bool(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (truthy.has(v)) return true;
  if (falsy.has(v)) return false;
  throw new ConfigError(name, `expected true or false, got ${JSON.stringify(raw)}`);
}

/**
 * K6_BROWSER_ARGS as k6 takes it: a comma-separated list of Chromium switches written without
 * their leading dashes (`show-property-changed-rects,window-size=800,600` is not split inside a
 * value: a part without `=` that follows a `name=value` part continues that value).
 */
export function parseBrowserArgs(raw: string | undefined): string[] {
  if (!raw || raw.trim() === '') return [];
  const out: string[] = [];
  for (const part of raw.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const last = out.length - 1;
    if (!p.includes('=') && !p.startsWith('-') && last >= 0 && out[last]!.includes('=') && /^\d/.test(p)) {
      out[last] = `${out[last]},${p}`;
      continue;
    }
    out.push(p.startsWith('--') ? p : `--${p.replace(/^-+/, '')}`);
  }
  return out;
}

/** Switches every launch gets: root cannot run Chromium's sandbox, and no background traffic leaves loopback. */
export function defaultArgs(isRoot: boolean): string[] {
  const args = ['--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-dev-shm-usage'];
  if (isRoot) args.push('--no-sandbox');
  return args;
}

/** The settings, or ConfigError (exit 104) naming the variable; also when no Chromium can be found. */
export function checkedBrowserSettings(env: Readonly<Record<string, string | undefined>>): BrowserSettings {
  const s = browserSettings(env);
  if (!s.executablePath) throw new ConfigError('K6_BROWSER_EXECUTABLE_PATH', `no Chromium found (${debianChromium} is missing): install Debian's chromium (apt-get install chromium) or set K6_BROWSER_EXECUTABLE_PATH`);
  if (!existsSync(s.executablePath)) throw new ConfigError('K6_BROWSER_EXECUTABLE_PATH', `${s.executablePath} does not exist`);
  return s;
}

export function browserSettings(env: Readonly<Record<string, string | undefined>>, isRoot = process.getuid?.() === 0): BrowserSettings {
  const path = env.K6_BROWSER_EXECUTABLE_PATH || (existsSync(debianChromium) ? debianChromium : undefined);
  const timeoutRaw = env.K6_BROWSER_TIMEOUT;
  const timeoutMs = timeoutRaw ? parseDuration(timeoutRaw, 'K6_BROWSER_TIMEOUT') : 30_000;
  const user = parseBrowserArgs(env.K6_BROWSER_ARGS);
  const args = [...defaultArgs(isRoot).filter((d) => !user.some((u) => u.split('=')[0] === d)), ...user];
  return {
    executablePath: path,
    headless: bool('K6_BROWSER_HEADLESS', env.K6_BROWSER_HEADLESS, true),
    args,
    timeoutMs,
    screenshotsDir: env.AETOS_BROWSER_SCREENSHOTS_DIR || undefined,
  };
}
