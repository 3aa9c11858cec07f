/**
 * `k6/timers`: the same per-VU, tracked timer functions the script sees as globals
 * (engine/vu/work-tracker.ts): an iteration ends only after its timers ran or were cleared.
 */
import type { ModuleFactory } from '../types.ts';
import { moduleExports } from './module-exports.ts';

export const timersModule: ModuleFactory = (vu) => {
  const t = vu.timers();
  const mod = { setTimeout: t.setTimeout, clearTimeout: t.clearTimeout, setInterval: t.setInterval, clearInterval: t.clearInterval };
  return moduleExports(mod);
};
