/**
 * Medium load: 100 warehouse users at once (the guide: "should pass with < 1 % failures").
 * Each user follows the warehouse journey (lib/journey.ts) with think time.
 */
import type { Options } from 'k6/options';
import { warehouseJourney } from '../lib/journey.ts';
import { rampHoldStages } from '../lib/profiles.ts';
import { thresholdsFor } from '../lib/thresholds.ts';

export const options: Options = {
  scenarios: {
    medium: { executor: 'ramping-vus', startVUs: 0, stages: rampHoldStages(100), gracefulRampDown: '10s' },
  },
  thresholds: thresholdsFor('medium'),
};

export default function (): void {
  warehouseJourney();
}
