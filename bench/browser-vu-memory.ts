/**
 * Memory one k6/browser VU costs: Chromium launched as the engine launches it (the same settings),
 * then N contexts, each with a page logged in and showing the AetosWMS inventory screen, as a
 * browser VU holds them mid-iteration. Measures the browser's whole process tree after each
 * context: RSS (counts shared pages once per process, so it over-counts) and PSS (shares them out;
 * the fairer number). The per-VU cost is the growth from 0 to N contexts divided by N.
 * engine/modules/browser/limits.ts takes its per-VU figure from this.
 *
 *   npx tsx bench/browser-vu-memory.ts [contexts=6]
 */
import './args.ts'; // first: --help prints this file's opening comment before anything loads
import { readdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { browserSettings } from '../engine/modules/browser/settings.ts';
import { startTarget } from '../wms/index.ts';

const contexts = Number(process.argv[2] ?? 6);

/** pid → parent pid, for every process. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      out.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  return out;
}

/** RSS and PSS (MB) of the process tree under `root`. */
function treeMemory(root: number): { rss: number; pss: number; processes: number } {
  const ppid = parents();
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of ppid) if (tree.has(parent) && !tree.has(pid)) grew = tree.add(pid) !== undefined;
  }
  let rss = 0;
  let pss = 0;
  for (const pid of tree) {
    try {
      const roll = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+)/m.exec(roll)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+)/m.exec(roll)?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return { rss: rss / 1024, pss: pss / 1024, processes: tree.size };
}

const target = await startTarget({ seedUsers: 20, seedSkus: 2000, rateLimitPerMinute: 0 });
const settings = browserSettings(process.env);
const browser = await chromium.launch({ executablePath: settings.executablePath, headless: settings.headless, args: settings.args });
try {
  const cdp = await browser.newBrowserCDPSession();
  const info = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
  const pid = info.processInfo.find((p) => p.type === 'browser')!.id;
  const settle = () => new Promise((r) => setTimeout(r, 1500));
  await settle();
  const base = treeMemory(pid);
  console.log(`0 contexts: RSS ${base.rss.toFixed(0)} MB, PSS ${base.pss.toFixed(0)} MB (${base.processes} processes)`);
  const open = [];
  for (let i = 1; i <= contexts; i++) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${target.url}/`);
    await page.locator('#username').fill(`user${String(i).padStart(4, '0')}`);
    await page.locator('#password').fill('Passw0rd!');
    await Promise.all([page.waitForNavigation(), page.locator('#login-submit').click()]);
    await page.locator('#stock tbody tr').first().waitFor();
    open.push(ctx);
    await settle();
    const m = treeMemory(pid);
    console.log(`${i} contexts: RSS ${m.rss.toFixed(0)} MB, PSS ${m.pss.toFixed(0)} MB (${m.processes} processes); per context so far: RSS +${((m.rss - base.rss) / i).toFixed(1)} MB, PSS +${((m.pss - base.pss) / i).toFixed(1)} MB`);
  }
  for (const c of open) await c.close();
} finally {
  await browser.close();
  await target.close();
}
