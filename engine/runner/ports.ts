/**
 * What the runner uses of the parts other modules build, in two groups, so the seams stay small
 * and visible — and so the coordinator (main thread) never loads the script-side code:
 *
 *  - plan side (coordinator and workers): executors (engine/executors) and execution segments
 *    (engine/execution/segment.ts) — here;
 *  - script side (worker threads only): the loader and the VU runtime — script-ports.ts.
 */
export { normalizeScenarios, createExecutor } from '../executors/index.ts';
export type { ScenarioConfig } from '../executors/index.ts';
export { parseSegment, splitSegment, workerSegments } from '../execution/segment.ts';
