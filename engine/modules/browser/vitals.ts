/**
 * Web Vitals as k6/browser reports them: Google's web-vitals library (the one k6 injects) runs in
 * every page through an init script and reports each change of LCP, FCP, CLS, INP and TTFB
 * (`reportAllChanges`) to a binding; this side keeps the latest value per metric instance (the
 * library's `id`: one per metric per page load) and emits it when the page closes or its context
 * ends, one sample per page load as k6 does, tagged with the page's URL.
 *
 * INP needs an interaction: the library observes Event Timing entries (and `first-input`, so the
 * first click always counts) and reports the 98th-percentile interaction latency.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** web-vitals name → k6 metric and whether the value is a time (ms) or a score. */
export const vitalMetrics: Readonly<Record<string, { metric: string; time: boolean }>> = {
  LCP: { metric: 'browser_web_vital_lcp', time: true },
  FCP: { metric: 'browser_web_vital_fcp', time: true },
  CLS: { metric: 'browser_web_vital_cls', time: false },
  INP: { metric: 'browser_web_vital_inp', time: true },
  TTFB: { metric: 'browser_web_vital_ttfb', time: true },
};

/** The binding the init script reports through. */
export const vitalsBinding = '__aetosWebVital';

export interface VitalReport {
  name: string;
  value: number;
  id: string;
  url: string;
}

let script: string | undefined;

/**
 * The init script: the library's IIFE build inside a function scope (so the page's globals stay
 * untouched), every metric observed with reportAllChanges, and a `hide()` hook the engine calls
 * before closing a page so the library reports final values as on a real tab switch.
 */
export function vitalsInitScript(): string {
  if (script !== undefined) return script;
  // a package lookup: from the worker bundle (node_modules/.cache/…) it walks up to the repo's node_modules too
  const main = createRequire(import.meta.url).resolve('web-vitals');
  const iife = readFileSync(path.join(path.dirname(main), 'web-vitals.iife.js'), 'utf8');
  script = `(() => {
  if (window.top !== window) return;
  ${iife}
  const send = (m) => { try { window.${vitalsBinding}({ name: m.name, value: m.value, id: m.id, url: location.href }); } catch (e) {} };
  const o = { reportAllChanges: true };
  webVitals.onLCP(send, o); webVitals.onFCP(send, o); webVitals.onCLS(send, o); webVitals.onINP(send, o); webVitals.onTTFB(send, o);
  Object.defineProperty(window, '__aetosHide', { value: () => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
    dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
  } });
})();`;
  return script;
}

/** Latest value per metric instance of one page; taken whole when the page ends. */
export class VitalsLog {
  private readonly latest = new Map<string, VitalReport>();

  record(r: unknown): void {
    if (typeof r !== 'object' || r === null) return;
    const { name, value, id, url } = r as Record<string, unknown>;
    if (typeof name !== 'string' || !(name in vitalMetrics) || typeof value !== 'number' || !Number.isFinite(value) || value < 0) return;
    this.latest.set(String(id), { name, value, id: String(id), url: String(url) });
  }

  /** Every metric instance recorded since the last take, once. */
  take(): VitalReport[] {
    const out = [...this.latest.values()];
    this.latest.clear();
    return out;
  }
}
