/**
 * The cap on browser VUs per machine. Each browser VU holds a Chromium context with a page (a
 * renderer process), which costs far more than a protocol VU: bench/browser-vu-memory.ts measures
 * it (bench/RESULTS.md). The coordinator checks the plan before any thread starts, so a run that
 * would exhaust the machine's memory ends at once with one line (exit 104) instead of swapping.
 * Pure: no playwright here.
 */
import os from 'node:os';
import { ConfigError } from '../../errors.ts';
import { checkedBrowserSettings } from './settings.ts';

/**
 * Memory one browser VU adds (a context with one logged-in page of the AetosWMS UI), MB: the
 * process tree's PSS grew 88 MB per context on average over 6 contexts (165 MB for the first,
 * which also starts Chromium's shared services; 67-77 MB for each one after), measured with
 * bench/browser-vu-memory.ts (bench/RESULTS.md); rounded up.
 */
export const mbPerBrowserVu = 100;
/** Share of the machine's memory browser VUs may take: the rest is the engine's, the target's and the OS's. */
const memoryShare = 0.5;

/** What the cap is and why, for the message. */
export interface BrowserVuCap {
  max: number;
  /** 'AETOS_BROWSER_MAX_VUS' or the memory it was derived from. */
  reason: string;
}

function machineMemoryMb(): number {
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  const total = os.totalmem();
  return (constrained && constrained > 0 && constrained < total ? constrained : total) / 1024 / 1024;
}

export function browserVuCap(env: Readonly<Record<string, string | undefined>>, memoryMb = machineMemoryMb()): BrowserVuCap {
  const raw = env.AETOS_BROWSER_MAX_VUS;
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new ConfigError('AETOS_BROWSER_MAX_VUS', `expected a whole number of VUs, got ${JSON.stringify(raw)}`);
    return { max: n, reason: 'AETOS_BROWSER_MAX_VUS' };
  }
  const max = Math.max(1, Math.floor((memoryMb * memoryShare) / mbPerBrowserVu));
  return { max, reason: `half of this machine's ${Math.round(memoryMb / 1024)} GB at about ${mbPerBrowserVu} MB per browser VU; AETOS_BROWSER_MAX_VUS changes it` };
}

/** A scenario's browser type (`options.browser.type`), or undefined for a protocol-level scenario. */
export function browserTypeOf(scenario: { options?: { browser?: { type?: string } } } | undefined): string | undefined {
  return scenario?.options?.browser?.type;
}

/**
 * Checks a plan with browser scenarios before any VU starts: ConfigError (exit 104, one line) when
 * the K6_BROWSER_* settings are invalid, no Chromium can be found, or the browser scenarios' VUs
 * exceed the cap. `vusOf` gives a scenario's most VUs on this machine (the executors' maxVus over this process's segment).
 */
export function checkBrowserScenarios(
  scenarios: Readonly<Record<string, { options?: { browser?: { type?: string } } }>>,
  vusOf: (name: string) => number,
  env: Readonly<Record<string, string | undefined>>,
): void {
  const browserScenarios = Object.keys(scenarios).filter((n) => browserTypeOf(scenarios[n]) !== undefined);
  if (browserScenarios.length === 0) return;
  checkedBrowserSettings(env);
  const total = browserScenarios.reduce((sum, n) => sum + vusOf(n), 0);
  const cap = browserVuCap(env);
  if (total <= cap.max) return;
  const each = browserScenarios.map((n) => `${n}: ${vusOf(n)}`).join(', ');
  throw new ConfigError(
    'scenarios',
    `${total} browser VUs (${each}) exceed this machine's cap of ${cap.max} (${cap.reason}); run fewer browser VUs and put the load on protocol-level scenarios, or split the test over machines with --execution-segment`,
  );
}
