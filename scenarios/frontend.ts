/**
 * Front end under load: a few browser VUs click through the AetosWMS web UI (lib/ui-journey.ts:
 * log in, search, open an item, order it, see it listed) while protocol-level VUs put the heavy
 * load on the API (lib/journey.ts) — the mix k6 recommends for front-end performance testing: the
 * browser VUs measure what a person feels (Web Vitals), the cheap VUs make the load.
 * Judged by Google's "good" levels at the 75th percentile: LCP < 2.5 s, INP < 200 ms.
 */
import type { Options } from 'k6/options';
import { profile } from '../lib/config.ts';
import { warehouseJourney } from '../lib/journey.ts';
import { totalSeconds } from '../lib/profile-table.ts';
import { rampHoldStages } from '../lib/profiles.ts';
import { thresholdsFor } from '../lib/thresholds.ts';
import { uiJourney } from '../lib/ui-journey.ts';

const apiStages = rampHoldStages(100);
/** Browser VUs: each one is a Chromium page (~120 MB, engine/modules/browser/limits.ts), so few. */
const browserVus = { quick: 1, standard: 3, nightly: 5 }[profile()];

export const options: Options = {
  scenarios: {
    ui: {
      executor: 'constant-vus',
      vus: browserVus,
      duration: `${totalSeconds(apiStages)}s`,
      gracefulStop: '10s',
      options: { browser: { type: 'chromium' } },
    },
    api: { executor: 'ramping-vus', startVUs: 0, stages: apiStages, gracefulRampDown: '10s', exec: 'api' },
  },
  thresholds: thresholdsFor('frontend'),
};

/** The browser VUs (scenario ui). */
export default async function (): Promise<void> {
  await uiJourney();
}

/** The protocol-level VUs (scenario api). */
export function api(): void {
  warehouseJourney();
}
