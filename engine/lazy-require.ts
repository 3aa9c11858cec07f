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
