/**
 * The pass criteria for one scenario: thresholds.json's defaults, then the scenario's own entry,
 * then that entry's `profiles.<PROFILE>` block. Each later layer replaces an earlier one per
 * metric, and `[]` drops the metric. The profile layer is there because a short profile can't
 * always resolve a criterion that a long one judges: a 25 s quick run can't tell 300 MB/h of
 * memory growth from a process warming up. The JSON is bundled into each k6 script at build
 * time, so real k6 applies the same criteria (D2). For each judged metric that stands on evidence
 * from the target (X-Cache, Server-Timing, /metrics memory, probes, uploads) an
 * `evidence{criterion:…}: ['count>0']` threshold is added, so it can never pass unmeasured.
 */
import criteria from '../thresholds.json';
import { profile, type Profile } from './config.ts';
import { evidenceThresholds } from './evidence-criteria.ts';

type ThresholdMap = Record<string, string[]>;
type Entry = Record<string, unknown> & { profiles?: Partial<Record<Profile, ThresholdMap>> };

/** The metric lists of a layer: keys starting with "$" are comments, `profiles` is the next layer. */
function lists(layer: Record<string, unknown> | undefined): ThresholdMap {
  const out: ThresholdMap = {};
  for (const [metric, list] of Object.entries(layer ?? {})) if (!metric.startsWith('$') && Array.isArray(list)) out[metric] = list as string[];
  return out;
}

export function thresholdsFor(scenario: string, p: Profile = profile()): ThresholdMap {
  const all = criteria as unknown as Record<string, Entry | string>;
  const own = all[scenario];
  if (own === undefined || typeof own === 'string') throw new Error(`thresholds.json has no entry "${scenario}"`);
  const merged: ThresholdMap = { ...lists(all.defaults as Entry), ...lists(own), ...lists(own.profiles?.[p]) };
  // An empty list drops a default (stress: latency at the peak is not judged, recovery is).
  for (const [metric, list] of Object.entries(merged)) if (list.length === 0) delete merged[metric];
  // Every judged metric that needs evidence from the target must have it (lib/evidence.ts).
  return { ...merged, ...evidenceThresholds(Object.keys(merged)) };
}
