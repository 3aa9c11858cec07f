// The report, the live dashboard and the compare page in a real browser (Debian's chromium driven
// by playwright-core; one launch for the file). Real runs on the engine against a loopback server,
// with hostile names everywhere the script and the target put text (request names, URLs, group
// and check names, error bodies): the verdict is there, every chart has data points, no console
// errors, no injected script runs; light, dark and print layouts hold, and a PDF prints. Screenshots
// and the PDF go to $TMPDIR/aetos-report-screens-XXXXXX/, kept (and named on stderr) when a test of
// the file failed or AETOS_KEEP_SCREENSHOTS=1, removed otherwise.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main as compare } from '../../cli/compare.ts';
import { main as run } from '../../cli/run.ts';
import { compareRuns, parseRules, sideFromReport } from '../../report/compare.ts';
import { finishRunReport } from '../../report/finish.ts';
import { renderReportHtml } from '../../report/html.ts';
import { syntheticRun } from './fixtures/synthetic-run.ts';

const chromiumPath = '/usr/bin/chromium';
const tmp = mkdtempSync(path.join(tmpdir(), 'aetos-browser-'));
// The screenshots and the PDF: a folder of this run's own (several test runs may share the machine).
// ~4 MB a run, so a passing run removes it; a failing one keeps it to be looked at.
const shots = mkdtempSync(path.join(tmpdir(), 'aetos-report-screens-'));
let failed = false;
beforeEach(({ onTestFailed }) =>
  onTestFailed(() => {
    failed = true;
  }),
);
const XSS = 'window.__xss=1';
const hostile = {
  name: `</script><script>${XSS}</script>`,
  name2: `"><img src=x onerror="${XSS}">`,
  group: `<svg onload="${XSS}">`,
  check: `<img src=x onerror=${XSS}> is 200`,
};

let server: Server;
let base = '';
let browser: Browser;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith('/fail')) res.writeHead(500, { 'content-type': 'text/html' }).end(`<script>${XSS}</script>`);
    else setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), 2);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  rmSync(tmp, { recursive: true, force: true });
  if (failed || process.env.AETOS_KEEP_SCREENSHOTS === '1') process.stderr.write(`report screenshots: ${shots}\n`);
  else rmSync(shots, { recursive: true, force: true });
});

function script(duration: string): string {
  const file = path.join(tmp, `hostile-${duration}.js`);
  writeFileSync(
    file,
    `import http from 'k6/http';
import { check, group, sleep } from 'k6';
export const options = {
  scenarios: {
    browse: { executor: 'constant-vus', vus: 2, duration: '${duration}' },
    fail: { executor: 'constant-vus', vus: 1, duration: '${duration}', exec: 'failing' },
  },
  thresholds: { http_req_duration: ['p(95)<2000'], checks: ['rate>0.5'], ${JSON.stringify(`http_req_duration{name:${hostile.name}}`)}: ['p(95)<2000'] },
};
export default function () {
  group(${JSON.stringify(hostile.group)}, () => {
    const r = http.get(__ENV.BASE + '/ok?q=<script>${XSS}</script>', { tags: { name: ${JSON.stringify(hostile.name)} } });
    check(r, { ${JSON.stringify(hostile.check)}: (x) => x.status === 200 });
  });
  sleep(0.05);
}
export function failing() {
  http.get(__ENV.BASE + '/fail', { tags: { name: ${JSON.stringify(hostile.name2)} } });
  // no name tag: the URL, markup and all, is the request's name in the table
  http.get(__ENV.BASE + '/ok?u="><img src=x onerror=${XSS}>');
  sleep(0.1);
}
`,
  );
  return file;
}

async function runEngine(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stderr = '';
  out.resume();
  err.on('data', (d) => (stderr += d));
  const code = await run(['-q', '--workers', '1', '-e', `BASE=${base}`, ...args], { env: { ...process.env, ...env }, stdout: out, stderr: err, handleSignals: false, cwd: tmp });
  return { code, stderr };
}

/** Console errors, page errors and dialogs (an alert would be an injection) of a page. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return problems;
}

async function chartPoints(page: Page): Promise<Record<string, number>> {
  // Browser-side code as strings: this project type-checks tests without the DOM library.
  return page.evaluate<Record<string, number>>(`Object.fromEntries([...document.querySelectorAll('.chart')].map((e) => [e.dataset.title, Number(e.dataset.points)]))`);
}

/**
 * What would make a page unreadable, from inside the page: a chart that is empty, cut off by its box
 * or wider than the page, a page wider than the window, a section that is not shown, text without
 * contrast against what is behind it (WCAG ratio; 3 for the big verdict word, 4.5 for body text).
 */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const problems = [];
    const vw = document.documentElement.clientWidth;
    const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
    const background = (e) => {
      for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || c[3] > 0) return c.slice(0, 3); }
      return [255, 255, 255];
    };
    const contrast = (e) => { const a = lum(rgb(getComputedStyle(e).color)), b = lum(background(e)); return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); };
    for (const [sel, min] of [['#verdict .verdict-word', 3], ['#verdict .verdict-detail', 4.5], ['h1', 4.5], ['#thresholds td', 4.5], ['#requests td', 4.5], ['.u-title', 4.5], ['dl.meta dd', 4.5]]) {
      const e = document.querySelector(sel);
      if (!e) { problems.push(sel + ': missing'); continue; }
      const r = e.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || getComputedStyle(e).visibility !== 'visible') problems.push(sel + ': not shown');
      const k = contrast(e);
      if (k < min) problems.push(sel + ': contrast ' + k.toFixed(2) + ' < ' + min);
    }
    for (const id of ['verdict', 'thresholds', 'charts', 'wms', 'requests', 'checks', 'monitor']) {
      const e = document.getElementById(id);
      if (e && (e.offsetHeight === 0 || e.getBoundingClientRect().right > vw + 1)) problems.push('#' + id + ': hidden or wider than the page');
    }
    for (const box of document.querySelectorAll('.chart')) {
      const t = box.dataset.title, b = box.getBoundingClientRect(), c = box.querySelector('canvas');
      if (!c) { problems.push(t + ': no canvas'); continue; }
      const r = c.getBoundingClientRect();
      if (r.width < 150 || r.height < 60) problems.push(t + ': canvas ' + r.width + 'x' + r.height);
      if (r.left < b.left - 1 || r.right > b.right + 1 || r.bottom > b.bottom + 1) problems.push(t + ': canvas cut off by its box');
      if (b.right > vw + 1) problems.push(t + ': wider than the page');
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) ink++;
      if (ink < 500) problems.push(t + ': nothing drawn');
    }
    if (document.documentElement.scrollWidth > vw + 1) problems.push('page ' + document.documentElement.scrollWidth + ' px wide in a ' + vw + ' px window');
    return problems;
  })()`);
}

describe.skipIf(!existsSync(chromiumPath))('reports in chromium', () => {
  it('report.html from a file: verdict, charts with data, run.json and monitor alerts, escaped names, no script injected', async () => {
    const file = path.join(tmp, 'run', 'report.html');
    const { code, stderr } = await runEngine(['--out', `html=${file}`, script('3s')]);
    expect(code, stderr).toBe(0);
    // What `load` adds afterwards, hostile too: run.json (the target's URL) and a monitor alert.
    writeFileSync(path.join(tmp, 'run', 'run.json'), JSON.stringify({ scenario: hostile.name2, profile: 'quick', baseUrl: `${base}/${hostile.name}`, exitCode: 0 }));
    writeFileSync(path.join(tmp, 'run', 'monitor.json'), JSON.stringify({ polls: 2, uptimePercent: 100, alerts: [{ state: 'firing', rule: hostile.group, severity: 'critical', metric: 'api.responseMs', value: 6000, threshold: 5000, at: '2026-01-01T00:00:00Z', message: hostile.name }] }));
    finishRunReport({ reportFile: file });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watch(page);
    await page.goto(`file://${file}`);
    await expect.poll(() => page.locator('#verdict').innerText()).toMatch(/PASSED\s+all 3 thresholds hold/);
    const points = await chartPoints(page);
    for (const title of ['Virtual users', 'Requests per second', 'Response time (http_req_duration)', 'Failed requests', 'Checks passed', 'Requests per second by scenario']) {
      expect(points[title], `${title} in ${JSON.stringify(points)}`).toBeGreaterThan(0);
    }
    expect(Object.values(points).every((n) => n > 0)).toBe(true);
    expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(Object.keys(points).length);
    // The hostile strings are on the page as text, and none of them ran.
    const text = await page.locator('#app').innerText();
    for (const s of Object.values(hostile)) expect(text).toContain(s);
    expect(text).toMatch(/HTTP 500|1500/);
    expect(await page.locator('#requests').innerText()).toMatch(/\/ok\?u=(%22%3E%3Cimg|"><img) src=x onerror=window.__xss=1>/);
    expect(await page.locator('#monitor').innerText()).toContain(hostile.name);
    // A threshold on a submetric whose tag value is markup: its name is text in the table.
    expect(await page.locator('#thresholds').innerText()).toContain(`http_req_duration{name:${hostile.name}}`);
    expect(await page.locator('h1').innerText()).toContain(hostile.name2);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('#app img, #app svg, #app script').count()).toBe(0);
    expect(await layoutProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(shots, 'report.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await layoutProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(shots, 'report-dark.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('light, dark and print: every chart drawn inside its box, the verdict readable, a PDF of several pages', async () => {
    // A 20-minute nightly run's report: ~50 charts of 600 points, 100 request names, the WMS section.
    const file = path.join(tmp, 'nightly', 'report.html');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, renderReportHtml(syntheticRun().data));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watch(page);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    await expect.poll(() => page.locator('#verdict').innerText()).toMatch(/FAILED\s+1 of 4 thresholds crossed/);
    expect(await page.locator('#generator').innerText()).toBe('the load generator was saturated for 41 % of the run: latencies include up to 180 ms of its own delay; use more workers or machines');
    const points = await chartPoints(page);
    expect(Object.keys(points).length).toBeGreaterThan(40);
    // The AetosWMS measures: memory over time with the leak slope, recovery time, cached vs database-bound, db_query_duration.
    for (const title of ['Target memory (RSS)', 'Cached vs database-bound p95', 'db_query_duration', 'Recovery time', 'p95 response time by scenario']) expect(points[title], title).toBeGreaterThan(0);
    expect(await page.locator('#wms dl').innerText()).toMatch(/memory leak slope \(Theil–Sen\)\s+60\.0 MB\/h[\s\S]*recovery time after the stress peak\s+12\.5 s[\s\S]*db_query_duration p\(95\)\s+18\.3 ms/);
    expect(await layoutProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(shots, 'nightly-light.png') });
    const bodyBackground = () => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    expect(await bodyBackground()).toBe('rgb(255, 255, 255)');

    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await bodyBackground()).toBe('rgb(13, 17, 23)');
    expect(await layoutProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(shots, 'nightly-dark.png') });

    // Paper (A4 is ~794 CSS px wide, less the margins), printed from a dark-mode screen: the light
    // palette, charts refitted to the page width, nothing cut off.
    await page.setViewportSize({ width: 700, height: 1000 });
    await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
    expect(await bodyBackground()).toBe('rgb(255, 255, 255)');
    await expect.poll(() => layoutProblems(page), { timeout: 10_000 }).toEqual([]);
    await page.screenshot({ path: path.join(shots, 'nightly-print.png'), fullPage: true });
    const pdf = await page.pdf({ format: 'A4', margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' } });
    writeFileSync(path.join(shots, 'nightly.pdf'), pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page\b(?!s)/g)?.length ?? 0).toBeGreaterThan(5);

    // Self-contained: the page asked for nothing but itself.
    expect(requests).toEqual([`file://${file}`]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('every string from the script, the target and run.json, hostile, shows as text and runs nothing: report and compare page', async () => {
    const evil = (where: string) => `${where} </script><script>${XSS}</script><img src=x onerror="${XSS}"><svg onload="${XSS}"> & \u2028`;
    const small = { seconds: 120, rps: 40, names: 6, scenarios: 3, custom: 12, text: evil };
    const a = syntheticRun(small).data;
    const b = syntheticRun(small).data;
    b.baseline = compareRuns(sideFromReport(a, evil('baseline label')), sideFromReport(b, evil('run label')), parseRules('p95>+20%'));
    // Folder names carry markup too: compare shows the paths it was given.
    const dirA = path.join(tmp, `"><img src=x onerror=${XSS}>`);
    const dirB = path.join(tmp, `<svg onload=${XSS}>`);
    for (const [dir, data] of [[dirA, a], [dirB, b]] as const) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'report.html'), renderReportHtml(data));
    }
    const comparePage = path.join(tmp, 'hostile-compare.html');
    const quiet = () => new PassThrough().resume();
    expect(await compare([dirA, dirB, '--html', comparePage], { stdout: quiet(), stderr: quiet() })).toBe(0);

    const expected: Record<string, string[]> = {
      report: [
        'title', 'name 0', 'name 5', 'scenario 2', 'metric 11', 'error 0', 'check .0', 'group 0', 'check 01.2',
        'run.json scenario', 'run.json profile', 'run.json baseUrl', 'run.json exitReason', 'run.json engineVersion', 'run.json gitCommit',
        'monitor target', 'alert rule 0', 'alert severity 1', 'alert metric 2', 'alert at 3', 'alert message 0', 'baseline label', 'run label',
      ],
      compare: ['name 0', 'name 5'],
    };
    for (const [kind, file] of [['report', path.join(dirB, 'report.html')], ['compare', comparePage]] as const) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems = watch(page);
      await page.goto(`file://${file}`);
      await expect.poll(() => page.locator('#verdict').count()).toBe(1);
      // innerText turns the line separator and table cells into whitespace: compare with runs of it squeezed.
      const squeeze = (t: string) => t.replace(/[\s\u2028]+/g, ' ');
      const text = squeeze(await page.locator('#app').innerText());
      for (const where of expected[kind] as string[]) expect(text, `${kind}: ${where}`).toContain(squeeze(evil(where)));
      if (kind === 'compare') {
        expect(text).toContain(dirA);
        expect(text).toContain(dirB);
      } else {
        // The threshold on a hostile tag value names its metric as text.
        expect(squeeze(await page.locator('#thresholds').innerText())).toContain(squeeze(`http_req_duration{name:${evil('name 0')}}`));
      }
      expect(await page.evaluate('window.__xss'), kind).toBeUndefined();
      expect(await page.locator('#app img, #app svg, #app script, #app iframe').count(), kind).toBe(0);
      await page.screenshot({ path: path.join(shots, `hostile-${kind}.png`) });
      expect(problems, kind).toEqual([]);
      await page.close();
    }
  });

  it('the live dashboard: updates over SSE while the run lasts, then the final verdict and the export', async () => {
    const port = await freePort();
    const exported = path.join(tmp, 'dash', 'export.html');
    const running = runEngine([script('6s')], {
      K6_WEB_DASHBOARD: 'true',
      K6_WEB_DASHBOARD_PORT: String(port),
      K6_WEB_DASHBOARD_PERIOD: '500ms',
      K6_WEB_DASHBOARD_EXPORT: exported,
    });
    const url = `http://127.0.0.1:${port}/`;
    await expect.poll(async () => (await fetch(url).catch(() => null))?.status, { timeout: 30_000, interval: 100 }).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watch(page);
    // Every update the page draws: its verdict and how many chart points it shows.
    await page.addInitScript({
      content: `window.__seen = [];
        new MutationObserver(() => window.__seen.push({
          verdict: document.getElementById('verdict')?.textContent ?? '',
          points: [...document.querySelectorAll('.chart')].reduce((n, e) => n + Number(e.dataset.points), 0),
        })).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-updates'] });`,
    });
    await page.goto(url);
    const seen = () => page.evaluate<{ verdict: string; points: number }[]>('window.__seen');
    const { code, stderr } = await running;
    expect(code, stderr).toBe(0);
    // While the run lasted: live updates (period 500 ms) with the live verdict and charts drawn from the stream.
    await expect.poll(async () => (await seen()).at(-1)?.verdict, { timeout: 10_000 }).toMatch(/PASSED/);
    const live = (await seen()).filter((u) => /RUNNING/.test(u.verdict));
    expect(live.length, JSON.stringify(await seen())).toBeGreaterThanOrEqual(2);
    expect(live[0]?.verdict).toMatch(/RUNNING\s*3 thresholds, judged at the end/);
    expect(live.at(-1)?.points).toBeGreaterThan(0);
    // The last message was the final report; the server is gone once the run is over.
    expect(await page.locator('#verdict').innerText()).toMatch(/PASSED\s+all 3 thresholds hold/);
    const points = await chartPoints(page);
    expect(points['Requests per second']).toBeGreaterThan(0);
    expect(Object.values(points).every((n) => n > 0)).toBe(true);
    await page.screenshot({ path: path.join(shots, 'dashboard.png'), fullPage: true });
    expect(await fetch(url).then(() => 'up', () => 'down')).toBe('down');
    expect(readFileSync(exported, 'utf8')).toContain('id="report-data"');
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(problems.filter((p) => !/ERR_CONNECTION_REFUSED|EventSource/.test(p))).toEqual([]);
    await page.close();
  });

  it('the compare page of the stored runs shows the verdict', async () => {
    const runs = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'runs');
    const html = path.join(tmp, 'compare.html');
    const out = new PassThrough().resume();
    const err = new PassThrough().resume();
    expect(await compare([path.join(runs, 'healthy-b'), path.join(runs, 'slow-50ms'), '--html', html], { stdout: out, stderr: err })).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    const problems = watch(page);
    await page.goto(`file://${html}`);
    await expect.poll(() => page.locator('#compare').innerText()).toMatch(/inventory_item[\s\S]*slower, beyond noise/);
    expect(await page.locator('#verdict').innerText()).toMatch(/SLOWER\s+\(all requests\): slower, beyond noise/);
    await page.screenshot({ path: path.join(shots, 'compare.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
