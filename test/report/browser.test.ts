// The report, the live dashboard and the compare page in a real browser (Debian's chromium driven
// by playwright-core; one launch for the file). Real runs on the engine against a loopback server,
// with hostile names everywhere the script and the target put text (request names, URLs, group
// and check names, error bodies): the verdict is there, every chart has data points, no console
// errors, no injected script runs. Screenshots go to $TMPDIR/aetos-report-screens/.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as compare } from '../../cli/compare.ts';
import { main as run } from '../../cli/run.ts';
import { finishRunReport } from '../../report/finish.ts';

const chromiumPath = '/usr/bin/chromium';
const tmp = mkdtempSync(path.join(tmpdir(), 'aetos-browser-'));
const shots = path.join(tmpdir(), 'aetos-report-screens');
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
  mkdirSync(shots, { recursive: true });
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
  thresholds: { http_req_duration: ['p(95)<2000'], checks: ['rate>0.5'] },
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
    await expect.poll(() => page.locator('#verdict').innerText()).toMatch(/PASSED\s+all 2 thresholds hold/);
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
    expect(await page.locator('#monitor').innerText()).toContain(hostile.name);
    expect(await page.locator('h1').innerText()).toContain(hostile.name2);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('#app img, #app svg, #app script').count()).toBe(0);
    await page.screenshot({ path: path.join(shots, 'report.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(shots, 'report-dark.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
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
    expect(live[0]?.verdict).toMatch(/RUNNING\s*2 thresholds, judged at the end/);
    expect(live.at(-1)?.points).toBeGreaterThan(0);
    // The last message was the final report; the server is gone once the run is over.
    expect(await page.locator('#verdict').innerText()).toMatch(/PASSED\s+all 2 thresholds hold/);
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
