/**
 * Heavy load: 200 warehouse users at once (the guide: "should pass with < 5 % failures").
 * Each user follows the warehouse journey (lib/journey.ts) with think time.
 */
import type { Options } from 'k6/options';
import { warehouseJourney } from '../lib/journey.ts';
import { rampHoldStages } from '../lib/profiles.ts';
import { thresholdsFor } from '../lib/thresholds.ts';

export const options: Options = {
  scenarios: {
    heavy: { executor: 'ramping-vus', startVUs: 0, stages: rampHoldStages(200), gracefulRampDown: '10s' },
  },
  thresholds: thresholdsFor('heavy'),
};

export default function (): void {
  warehouseJourney();
}
