/**
 * Whether a script imports a module by URL. Its own file, so the loader can ask without loading
 * the fetching code (and undici) into every worker thread.
 */
export const hasRemoteImport = (code: string) => /(?:^|[\s;}])(?:import|export)\b[^'"]*?(?:from\s*)?['"]https?:\/\//im.test(code);
