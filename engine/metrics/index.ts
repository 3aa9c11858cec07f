/**
 * The measurement layer's public surface (see README.md in this folder): per-process collectors,
 * the main-thread store, the threshold grammar and k6's built-in metric table.
 */
export { createCollector, tagsMatch, submetricSelectors } from './collector.ts';
export type { Collector, CollectorOptions, MetricsDelta, Sample } from './collector.ts';
export { MetricsStore, defaultSummaryTrendStats, validateSummaryTrendStats, crossedThresholdsMessage, abortOnFailMessage } from './store.ts';
export type {
  MetricsStoreOptions,
  SummaryData,
  SummaryDataOptions,
  SummaryGroup,
  SummaryCheck,
  SummaryMetric,
  ThresholdEvaluation,
  ThresholdResult,
} from './store.ts';
export { validateThresholds, checkThresholdSets, parseThresholds, parseThresholdExpression, parseMetricSelector, aggregationsByType } from './thresholds.ts';
export type { Threshold, ThresholdSet, ThresholdExpression, MetricSelector, Operator } from './thresholds.ts';
export { builtinMetrics, expectedResponseSubmetric } from './builtin.ts';
export { generatorVerdict, windowSaturated } from './generator.ts';
export type { GeneratorVerdict, GeneratorWindow } from './generator.ts';
export type { MetricDef } from './builtin.ts';
export type { AggregateState } from './aggregates.ts';
export { Timeline, inTimeline, requestErrorOf, MAX_TIMELINE_NAMES, OTHER_NAMES } from './timeline.ts';
export type { TimelineDelta } from './timeline.ts';
export {
  SEGMENT_RESULT_FORMAT,
  SEGMENT_RESULT_VERSION,
  SEGMENT_RESULT_MARKER,
  SegmentResultError,
  serializeSegmentResult,
  segmentResultLogLine,
  deserializeSegmentResult,
  readSegmentResults,
  mergeSegmentResults,
} from './segment-result.ts';
export type { SegmentResult } from './segment-result.ts';
