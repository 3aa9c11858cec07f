/**
 * Load shapes per PROFILE: quick for tests (short, same peak), standard for `npm run load:<name>`,
 * nightly for the CI stress job. Stages are k6 ramping-vus stages.
 */
import { profile, type Profile } from './config.ts';

export interface Stage {
  duration: string;
  target: number;
}

/** Ramp to `peak` users, hold, ramp down: the shape of the guide's fixed-user load tests. */
export function rampHoldStages(peak: number, p: Profile = profile()): Stage[] {
  switch (p) {
    case 'quick':
      return [
        { duration: '10s', target: peak },
        { duration: '15s', target: peak },
        { duration: '5s', target: 0 },
      ];
    case 'standard':
      return [
        { duration: '30s', target: peak },
        { duration: '2m', target: peak },
        { duration: '20s', target: 0 },
      ];
    case 'nightly':
      return [
        { duration: '2m', target: peak },
        { duration: '15m', target: peak },
        { duration: '1m', target: 0 },
      ];
  }
}
