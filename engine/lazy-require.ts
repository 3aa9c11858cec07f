/**
 * A package loaded on first use, not at import. Start-up pays for every package a module imports
 * statically, and some cost tens of milliseconds (undici ~50 ms, protobufjs and snappy for the
 * Prometheus output, cheerio ~300 ms): code that needs one only in some runs asks for it here.
 * CommonJS `require`, so the first use stays synchronous; resolved from the engine's own folder.
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/** A function returning the package `id`, required the first time it is called. */
export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(id) as T);
}

/*
 * Builtins that cost a thread milliseconds to load and that most runs never use: loaded on first
 * use so that neither a worker thread nor the main thread pays for them before a run's first request
 * (issue 21; test/engine/runner/worker-start-graph.test.ts). node:crypto ~6 ms, node:child_process
 * ~5 ms, node:zlib ~1 ms each, on 2 cores.
 */
export const nodeCrypto = lazyRequire<typeof import('node:crypto')>('node:crypto');
export const nodeZlib = lazyRequire<typeof import('node:zlib')>('node:zlib');
export const nodeChildProcess = lazyRequire<typeof import('node:child_process')>('node:child_process');
