/**
 * The `k6` module: check, group, sleep, fail, randomSeed. One instance per VU (each function
 * closes over its VU). `sleep` and `group` return promises: the loader's pass awaits them, which is
 * how they block the VU as in k6. `sleep` rejects with IterationInterrupted as soon as the
 * iteration is interrupted, so gracefulStop ends a sleeping iteration promptly.
 */
import { performance } from 'node:perf_hooks';
import type { ModuleFactory, Tags, VuContext } from '../types.ts';
import { moduleExports } from './module-exports.ts';

export function sleepFor(vu: VuContext, seconds: unknown): Promise<void> {
  // tracked by the VU: a sleep inside an async function nobody awaits still holds the iteration
  // open, as the same call would block the VU in k6
  return vu.sleep(Number(seconds) * 1000);
}

function checkName(kind: string, name: unknown): string {
  const s = String(name);
  if (s.includes('::')) throw new Error(`${kind} names may not contain '::' (got "${s}")`);
  return s;
}

export function runCheck(vu: VuContext, value: unknown, sets: unknown, tags?: Tags): boolean {
  if (sets === null || typeof sets !== 'object') throw new TypeError('check(): the second argument must be an object of named checks');
  if (value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function') {
    // legal in k6 (e.g. an un-awaited asyncRequest), but usually a missing await: say so once
    vu.log.once('check-promise', 'warning', 'check() received a Promise: did you forget to await http.asyncRequest or an async function?');
  }
  let all = true;
  for (const [rawName, predicate] of Object.entries(sets as Record<string, unknown>)) {
    const name = checkName('check', rawName);
    const result = typeof predicate === 'function' ? (predicate as (v: unknown) => unknown)(value) : predicate;
    const ok = !!result;
    if (!ok) all = false;
    vu.emit('checks', ok ? 1 : 0, tags ? { ...tags, check: name } : { check: name });
  }
  return all;
}

export async function runGroup(vu: VuContext, name: unknown, fn: unknown): Promise<unknown> {
  const groupName = checkName('group', name);
  if (typeof fn !== 'function') throw new TypeError('group(): the second argument must be a function');
  const outer = vu.groupPath;
  const path = `${outer}::${groupName}`;
  vu.groupPath = path;
  const t0 = performance.now();
  try {
    const result = await (fn as () => unknown)();
    vu.emit('group_duration', performance.now() - t0);
    return result;
  } finally {
    vu.groupPath = outer;
  }
}

/** A small seeded PRNG (mulberry32) for `randomSeed`: reproducible per VU, as k6 documents. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const k6Module: ModuleFactory = (vu) => {
  const mod = {
    check: (value: unknown, sets: unknown, tags?: Tags) => runCheck(vu, value, sets, tags),
    group: (name: unknown, fn: unknown) => runGroup(vu, name, fn),
    sleep: (seconds: unknown) => sleepFor(vu, seconds),
    fail: (message?: unknown): never => {
      throw new Error(message === undefined ? 'fail() called' : String(message));
    },
    randomSeed: (seed: unknown) => {
      const math = vu.math;
      const n = Number(seed);
      if (!Number.isFinite(n)) throw new TypeError('randomSeed(): the seed must be a number');
      Object.defineProperty(math, 'random', { value: seededRandom(Math.trunc(n)), writable: true, configurable: true });
    },
  };
  return moduleExports(mod);
};
