/**
 * The pass criteria for one scenario: thresholds.json's defaults plus the scenario's own entry
 * (a scenario's entry replaces a default for the same metric; `[]` drops it). The JSON is bundled into each
 * k6 script at build time, so real k6 applies the same criteria (D2).
 */
import criteria from '../thresholds.json';

type ThresholdMap = Record<string, string[]>;

export function thresholdsFor(scenario: string): ThresholdMap {
  const all = criteria as unknown as Record<string, ThresholdMap | string>;
  const own = all[scenario];
  if (own === undefined || typeof own === 'string') throw new Error(`thresholds.json has no entry "${scenario}"`);
  const defaults = all.defaults as ThresholdMap;
  const merged: ThresholdMap = { ...defaults, ...own };
  // An empty list drops a default (stress: latency at the peak is not judged, recovery is).
  // Keys starting with "$" are comments.
  for (const [metric, list] of Object.entries(merged)) if (metric.startsWith('$') || !Array.isArray(list) || list.length === 0) delete merged[metric];
  return merged;
}
