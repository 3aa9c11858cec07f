/**
 * The pass criteria for one scenario: thresholds.json's defaults plus the scenario's own entry
 * (a scenario's entry replaces a default for the same metric). The JSON is bundled into each
 * k6 script at build time, so real k6 applies the same criteria (D2).
 */
import criteria from '../thresholds.json';

type ThresholdMap = Record<string, string[]>;

export function thresholdsFor(scenario: string): ThresholdMap {
  const all = criteria as unknown as Record<string, ThresholdMap | string>;
  const own = all[scenario];
  if (own === undefined || typeof own === 'string') throw new Error(`thresholds.json has no entry "${scenario}"`);
  const defaults = all.defaults as ThresholdMap;
  return { ...defaults, ...own };
}
