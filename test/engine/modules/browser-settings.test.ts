// k6/browser's pure parts: the K6_BROWSER_* settings, the browser-VU cap, and the scenario option
// `options.browser.type` as the executors read it. No Chromium here (browser.test.ts drives it).
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../engine/errors.ts';
import { readScenario } from '../../../engine/executors/config.ts';
import { browserVuCap, checkBrowserScenarios, mbPerBrowserVu } from '../../../engine/modules/browser/limits.ts';
import { browserSettings, parseBrowserArgs } from '../../../engine/modules/browser/settings.ts';

describe('K6_BROWSER_* settings', () => {
  it('defaults: headless, 30 s, Debian chromium when present, --no-sandbox only as root', () => {
    const root = browserSettings({}, true);
    expect(root.headless).toBe(true);
    expect(root.timeoutMs).toBe(30_000);
    expect(root.args).toContain('--no-sandbox');
    expect(browserSettings({}, false).args).not.toContain('--no-sandbox');
    expect(browserSettings({ K6_BROWSER_EXECUTABLE_PATH: '/opt/chrome/chrome' }).executablePath).toBe('/opt/chrome/chrome');
    expect(root.screenshotsDir).toBeUndefined();
    expect(browserSettings({ AETOS_BROWSER_SCREENSHOTS_DIR: '/tmp/run' }).screenshotsDir).toBe('/tmp/run');
  });

  it('K6_BROWSER_HEADLESS and K6_BROWSER_TIMEOUT as k6 reads them; bad values name the setting', () => {
    expect(browserSettings({ K6_BROWSER_HEADLESS: 'false' }).headless).toBe(false);
    expect(browserSettings({ K6_BROWSER_TIMEOUT: '5s' }).timeoutMs).toBe(5000);
    expect(() => browserSettings({ K6_BROWSER_HEADLESS: 'maybe' })).toThrow(/K6_BROWSER_HEADLESS: expected true or false, got "maybe"/);
    expect(() => browserSettings({ K6_BROWSER_TIMEOUT: 'soon' })).toThrow(/K6_BROWSER_TIMEOUT/);
  });

  it('K6_BROWSER_ARGS: comma-separated switches without dashes; a value with a comma stays whole; defaults are not doubled', () => {
    expect(parseBrowserArgs('show-property-changed-rects,window-size=800,600, --lang=de')).toEqual([
      '--show-property-changed-rects',
      '--window-size=800,600',
      '--lang=de',
    ]);
    expect(parseBrowserArgs('')).toEqual([]);
    const s = browserSettings({ K6_BROWSER_ARGS: 'no-sandbox,mute-audio' }, true);
    expect(s.args.filter((a) => a === '--no-sandbox')).toHaveLength(1);
    expect(s.args).toContain('--mute-audio');
  });
});

describe('browser VU cap', () => {
  it('half the memory at the measured cost per VU, or AETOS_BROWSER_MAX_VUS', () => {
    expect(browserVuCap({}, 24 * 1024).max).toBe(Math.floor((24 * 1024) / 2 / mbPerBrowserVu));
    expect(browserVuCap({}, 100).max).toBe(1);
    expect(browserVuCap({ AETOS_BROWSER_MAX_VUS: '7' }).max).toBe(7);
    expect(() => browserVuCap({ AETOS_BROWSER_MAX_VUS: 'lots' })).toThrow(ConfigError);
  });

  it('counts only browser scenarios, and says which exceed the cap', () => {
    // any executable stands in for Chromium here: the check only needs the file to exist
    const env = (more: Record<string, string>) => ({ K6_BROWSER_EXECUTABLE_PATH: process.execPath, ...more });
    const scenarios = { ui: { options: { browser: { type: 'chromium' } } }, api: {} };
    const vus: Record<string, number> = { ui: 4, api: 500 };
    expect(() => checkBrowserScenarios(scenarios, (n) => vus[n]!, env({ AETOS_BROWSER_MAX_VUS: '4' }))).not.toThrow();
    expect(() => checkBrowserScenarios(scenarios, (n) => vus[n]!, env({ AETOS_BROWSER_MAX_VUS: '3' }))).toThrow(
      "invalid option scenarios: 4 browser VUs (ui: 4) exceed this machine's cap of 3 (AETOS_BROWSER_MAX_VUS)",
    );
    expect(() => checkBrowserScenarios({ api: {} }, () => 10_000, { AETOS_BROWSER_MAX_VUS: '0' })).not.toThrow();
    // settings are checked before the run too: one line naming the variable (exit 104)
    expect(() => checkBrowserScenarios(scenarios, (n) => vus[n]!, env({ K6_BROWSER_HEADLESS: 'maybe' }))).toThrow(
      'invalid option K6_BROWSER_HEADLESS: expected true or false, got "maybe"',
    );
    expect(() => checkBrowserScenarios(scenarios, (n) => vus[n]!, { K6_BROWSER_EXECUTABLE_PATH: '/nowhere/chromium' })).toThrow(
      'invalid option K6_BROWSER_EXECUTABLE_PATH: /nowhere/chromium does not exist',
    );
  });
});

describe('options.browser.type in a scenario', () => {
  const base = { executor: 'shared-iterations', iterations: 1 };
  it('chromium is kept in the normalised scenario (the VU reads it); no option, no key', () => {
    expect(readScenario('ui', { ...base, options: { browser: { type: 'chromium' } } }).options).toEqual({ browser: { type: 'chromium' } });
    expect('options' in readScenario('api', base)).toBe(false);
  });
  it('another browser or a malformed option is exit 104 naming the option', () => {
    expect(() => readScenario('ui', { ...base, options: { browser: { type: 'firefox' } } })).toThrow(
      'invalid option scenarios.ui.options.browser.type: must be "chromium" (the only browser k6 drives), got "firefox"',
    );
    expect(() => readScenario('ui', { ...base, options: 'chromium' })).toThrow(/scenarios\.ui\.options: expected an object/);
  });
});
