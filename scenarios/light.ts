/**
 * Light load: 50 warehouse users at once (the guide: "should pass with 0 failures").
 * Each user follows the warehouse journey (lib/journey.ts) with think time.
 */
import type { Options } from 'k6/options';
import { warehouseJourney } from '../lib/journey.ts';
import { rampHoldStages } from '../lib/profiles.ts';
import { thresholdsFor } from '../lib/thresholds.ts';

export const options: Options = {
  scenarios: {
    light: { executor: 'ramping-vus', startVUs: 0, stages: rampHoldStages(50), gracefulRampDown: '10s' },
  },
  thresholds: thresholdsFor('light'),
};

export default function (): void {
  warehouseJourney();
}
