/**
 * `k6/browser`: `import { browser } from 'k6/browser'`, for scenarios with
 * `options: { browser: { type: 'chromium' } }` (k6's rule: anywhere else `browser.newPage()` and
 * friends throw k6's "browser not found in registry" error). Chromium runs through playwright-core,
 * one process per worker thread (process.ts); each VU gets a context per iteration (api.ts); Web
 * Vitals and the page's own requests become k6's browser metrics (vitals.ts, api.ts).
 */
import type { ModuleFactory } from '../../types.ts';
import { K6Browser } from './api.ts';
import { type BrowserSettings, browserSettings } from './settings.ts';

export const browserModule: ModuleFactory = (vu) => {
  let settings: BrowserSettings | undefined;
  // read on first use, from the process environment and __ENV (-e K6_BROWSER_HEADLESS=false works too)
  const browser = new K6Browser(vu, () => (settings ??= browserSettings({ ...process.env, ...vu.env })));
  return { browser };
};
