/** Types of app-bundle.js (plain JavaScript: bin/aetos-load.js loads it before TypeScript can run). */
export function appBundleDir(): Promise<string>;
export function describeBuildError(err: unknown): string;
export function createAppBundle(o: { root: string; entries: Record<string, string>; cjsEntries?: Record<string, string>; cacheDir: string }): { dir(): Promise<string>; last(): string | undefined };
