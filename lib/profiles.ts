/**
 * Load shapes for the current PROFILE (quick for tests, standard for `npm run load:<name>`,
 * nightly for the CI stress job): lib/profile-table.ts with the profile read from __ENV.
 */
import { profile } from './config.ts';
import { rampHold, stressShape, type Stage, type StressShape } from './profile-table.ts';

export type { Stage, StressShape };

export function rampHoldStages(peak: number): Stage[] {
  return rampHold(peak, profile());
}

export function stress(): StressShape {
  return stressShape(profile());
}
