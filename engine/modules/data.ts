/**
 * `k6/data` SharedArray: built once per process in the init context, frozen, and shared by every
 * VU that asks for the same name (k6 keeps one copy per instance instead of one per VU). The data
 * is JSON-cloned on construction, as k6 stores it, then deep-frozen so no VU can change it.
 * Names are scoped to the script file, so two test runs in one process do not collide.
 */
import type { ModuleFactory, VuContext } from '../types.ts';
import { moduleExports } from './module-exports.ts';

const arrays = new Map<string, readonly unknown[]>();

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v as object)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

export function sharedArray(vu: VuContext, name: unknown, build: unknown): readonly unknown[] {
  if (typeof name !== 'string' || name === '') throw new TypeError('SharedArray: the name must be a non-empty string');
  if (typeof build !== 'function') throw new TypeError('SharedArray: the second argument must be a function returning an array');
  const key = `${vu.scriptPath}\0${name}`;
  const existing = arrays.get(key);
  if (existing) return existing;
  if (vu.phase !== 'init') throw new Error('SharedArray can be constructed only in the init context');
  const data = (build as () => unknown)();
  if (!Array.isArray(data)) throw new TypeError(`SharedArray "${name}": the function must return an array`);
  const frozen = deepFreeze(JSON.parse(JSON.stringify(data)) as unknown[]);
  arrays.set(key, frozen);
  return frozen;
}

/** `new SharedArray(name, fn)` returns the shared frozen array itself (a constructor may return an object). */
function makeSharedArrayClass(vu: VuContext) {
  return function SharedArray(this: unknown, name: unknown, build: unknown) {
    if (!new.target) throw new TypeError("SharedArray must be called with 'new'");
    return sharedArray(vu, name, build);
  } as unknown as new (name: string, build: () => unknown[]) => readonly unknown[];
}

export const dataModule: ModuleFactory = (vu) => {
  const mod = { SharedArray: makeSharedArrayClass(vu) };
  return moduleExports(mod);
};
