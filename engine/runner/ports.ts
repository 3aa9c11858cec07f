/**
 * What the runner uses of the parts other modules build, in one place: the loader and VU runtime
 * (engine/loader, engine/vu), the executors (engine/executors, engine/execution/segment.ts) and the
 * metrics layer (engine/metrics). Everything else in engine/runner imports these names from here,
 * so the seams between the runner and its parts stay small and visible.
 */
export { loadScript } from '../loader/index.ts';
export type { LoadedScript } from '../loader/index.ts';
export { createVu } from '../vu/index.ts';
export type { Vu } from '../vu/index.ts';
export { normalizeScenarios, createExecutor } from '../executors/index.ts';
export type { ScenarioConfig } from '../executors/index.ts';
export { parseSegment, splitSegment, workerSegments } from '../execution/segment.ts';
