/** The end-of-test summary: k6's text layout, units, and handleSummary result writing. */
export { renderTextSummary } from './text.ts';
export type { TextSummaryOptions } from './text.ts';
export { produceSummary, writeSummaryResult } from './handle-summary.ts';
export type { ProduceSummaryOptions, SummaryStreams } from './handle-summary.ts';
export { formatBytes, formatDuration, formatNumber, formatPercent, formatValue } from './format.ts';
