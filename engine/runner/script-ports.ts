/**
 * The script side of the runner's seams (see ports.ts): the loader and the VU runtime. Only worker
 * threads import this (worker-main.ts, instance.ts); the coordinator never loads, compiles or runs
 * script code, so it never imports it either.
 */
export { loadScript } from '../loader/index.ts';
export type { LoadedScript } from '../loader/index.ts';
export { createVu } from '../vu/index.ts';
export type { IterationRun, Vu } from '../vu/index.ts';
export { onFileOpened } from '../modules/open.ts';
export { warmedUp } from '../modules/warm-up.ts';
export { preloadModules } from '../modules/index.ts';
