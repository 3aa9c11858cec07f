/**
 * Renders report pages: one self-contained HTML file (uPlot, its CSS, the page script and the
 * run's data inlined; nothing is fetched when it is opened). Pure functions over ReportData; the
 * assets are read once from node_modules and report/client.js by loadAssets().
 *
 * Safety: the data goes into <script type="application/json"> with <, >, & and U+2028/2029 escaped
 * as \uXXXX, so no string from the run can close the tag; the page script builds the DOM from it
 * with text nodes only; and a Content-Security-Policy allows only the page's own scripts (by
 * SHA-256), so an injected inline handler or <script> would not run even if it got into the page.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ReportData } from './data.ts';
import { nodeCrypto } from '../engine/lazy-require.ts';

export interface Assets {
  uplotJs: string;
  uplotCss: string;
  client: string;
}

let cached: Assets | undefined;

/** uPlot (from node_modules) and the page script, read once per process. */
export function loadAssets(): Assets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const dist = (f: string) => readFileSync(require.resolve(`uplot/dist/${f}`), 'utf8');
  cached = {
    uplotJs: dist('uPlot.iife.min.js'),
    uplotCss: dist('uPlot.min.css'),
    client: readFileSync(new URL('./client.js', import.meta.url), 'utf8'),
  };
  return cached;
}

/** JSON that is safe inside a <script> element (and still JSON). */
export function jsonForScript(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const sha256 = (s: string) => `'sha256-${nodeCrypto().createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** The report pages' stylesheet (light and dark, print); the readiness page uses it too. */
export const pageCss = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --card: #f6f8fa;
  --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --okbg: #dafbe1; --badbg: #ffebe9; --warnbg: #fff8c5; --live: #0969da; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --line: #30363d; --card: #161b22;
  --ok: #3fb950; --bad: #f85149; --warn: #d29922; --okbg: #12261e; --badbg: #3c1618; --warnbg: #2e2a16; --live: #58a6ff; } }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
#app { max-width: 1180px; margin: 0 auto; padding: 16px 20px 40px; }
h1 { font-size: 22px; margin: 4px 0 10px; } h2 { font-size: 17px; margin: 26px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.verdict { display: flex; gap: 14px; align-items: baseline; padding: 10px 14px; border-radius: 6px; border: 1px solid var(--line); }
.verdict-word { font-size: 24px; font-weight: 700; letter-spacing: .04em; }
.verdict.pass { background: var(--okbg); } .verdict.pass .verdict-word { color: var(--ok); }
.verdict.fail { background: var(--badbg); } .verdict.fail .verdict-word { color: var(--bad); }
.verdict.live .verdict-word { color: var(--live); }
.verdict.warn { background: var(--warnbg); } .verdict.warn .verdict-word { color: var(--warn); }
.generator { background: var(--warnbg); border-left: 4px solid var(--warn); padding: .5em .8em; margin: .8em 0; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 10px 0; } dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 14px 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 120px; }
.card-label, .card-sub { color: var(--muted); font-size: 12px; } .card-value { font-size: 20px; font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th { color: var(--muted); font-weight: 600; overflow-wrap: normal; } tr.bad td { background: var(--badbg); } tr.warn td { background: var(--warnbg); }
tr.bad td:last-child { color: var(--bad); font-weight: 600; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(520px, 100%), 1fr)); gap: 14px; }
.chart { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 6px; overflow: hidden; }
.uplot, .u-title { color: var(--fg); font-family: inherit; } .u-title { font-size: 14px; }
.note { color: var(--muted); font-size: 12px; }
ul.tree { list-style: none; padding-left: 18px; margin: 2px 0; } ul.tree li.bad { color: var(--bad); } ul.tree .counts { color: var(--muted); }
ul.tree li.ok .mark { color: var(--ok); }
.baseline-verdict { font-weight: 600; } .baseline-verdict.bad { color: var(--bad); }
/* Paper: the light palette whatever the screen's scheme (backgrounds are not printed by default),
   the full page width, one chart a row, nothing split across pages. client.js refits the charts
   when the print media applies; a canvas that was not refitted is scaled down, never cut. */
@media print {
  :root { color-scheme: light; --bg: #fff; --fg: #000; --muted: #444; --line: #bbb; --card: #fff;
    --ok: #1a7f37; --bad: #cf222e; --warn: #7d4e00; --okbg: #dafbe1; --badbg: #ffebe9; --warnbg: #fff8c5; --live: #0969da; }
  body { background: #fff; color: #000; font-size: 11pt; }
  #app { max-width: none; padding: 0; }
  .verdict, tr.bad td, tr.warn td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .grid { grid-template-columns: 1fr; }
  .chart, table tr, .card, .verdict, dl.meta { break-inside: avoid; }
  h2 { break-after: avoid; }
  .chart .uplot, .chart .u-wrap { width: 100% !important; }
  .chart .u-wrap { height: auto !important; }
  .chart canvas { max-width: 100%; height: auto !important; }
  .u-over, .u-under, .u-cursor-x, .u-cursor-y { display: none; }
  .u-legend { font-size: 9pt; }
}
`;

export interface PageOptions {
  /** The live dashboard: the page follows this Server-Sent Events path. */
  events?: string;
}

/** A self-contained page for a report (ReportData) or a comparison (data with kind: 'comparison'). */
export function renderPage(title: string, data: unknown, assets: Assets, o: PageOptions = {}): string {
  const scripts = [assets.uplotJs, assets.client];
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map(sha256).join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    `connect-src ${o.events ? "'self'" : "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="generator" content="aetos-load">
<title>${escapeHtml(title)}</title>
<style>${assets.uplotCss}</style>
<style>${pageCss}</style>
</head>
<body${o.events ? ` data-events="${escapeHtml(o.events)}"` : ''}>
<main id="app"><noscript>This report draws its tables and charts with JavaScript; the data is in the page source (report-data).</noscript></main>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${assets.uplotJs}</script>
<script>${assets.client}</script>
</body>
</html>
`;
}

export function renderReportHtml(data: ReportData, assets: Assets = loadAssets(), o: PageOptions = {}): string {
  return renderPage(data.title, data, assets, o);
}

/** The data a report page carries (for compare and for adding the baseline verdict afterwards). */
export function extractPageData(html: string): unknown {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no report data in this page (not an aetos-load report?)');
  return JSON.parse(m[1] as string);
}
