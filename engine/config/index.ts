/**
 * Config for `aetos-load run`: k6 flags and `K6_*` env vars parsed into layers, merged with the
 * script's options by k6's precedence (defaults < config file < script < env < flags).
 */
export { parseRunArgs, runUsage, runFlags } from './flags.ts';
export type { ParsedRunArgs } from './flags.ts';
export { layerFromEnv, k6EnvVars } from './env.ts';
export { consolidate, consolidateSettings, applyOptions, defaultSettings } from './consolidate.ts';
export type { Consolidated, ConsolidateInput } from './consolidate.ts';
export type { ConfigLayer, K6Options, RunSettings, RunnerKind } from './types.ts';
export { durationMs, optionDurationMs } from './values.ts';
export { webDashboardFromEnv, webDashboardFromOut } from './web-dashboard.ts';
export type { WebDashboardSettings } from './web-dashboard.ts';
