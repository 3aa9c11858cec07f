/**
 * A thread's collector: the one part of the measurement layer a worker thread uses. Apart from
 * metrics-bridge.ts (which re-exports it for the main thread) so that a worker thread's static
 * imports stop at the collector: the store, the outputs and the summary are main-thread code, and
 * loading them cost every worker thread's start-up ~150 KB of modules and node:crypto and node:zlib.
 */
import { createCollector as createMetricsCollector } from '../metrics/collector.ts';
import type { Collector } from '../metrics/collector.ts';
import type { ThresholdSet } from '../metrics/thresholds.ts';

export type { Collector };

/**
 * A collector for one process (thread): aggregates the sub-metrics the thresholds name (as parsed
 * once by prepare(): TestPlan.thresholds); keeps raw samples when outputs need them, and
 * per-second aggregates when an output charts the run.
 */
export function createCollector(thresholds: readonly ThresholdSet[] = [], keepSamples = false, keepTimeline = false): Collector {
  return createMetricsCollector({ thresholdSets: thresholds, keepSamples, keepTimeline });
}
