/**
 * Versions `aetos-load version` prints and an archive's metadata.json records: the engine's own
 * (package.json), and the k6 release whose documented behaviour the engine follows (DESIGN: k6 is
 * the spec, scripts must be valid for k6 >= 1.0).
 */
import { readFileSync } from 'node:fs';

export const ENGINE_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The k6 version the engine follows (k6 API, options, archive layout). */
export const K6_VERSION_FOLLOWED = '1.0.0';
